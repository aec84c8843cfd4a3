"""The field rules every request model shares: text without control characters, integers sent as JSON
integers, SKUs, email addresses; each stated in the JSON schema as far as JSON Schema can state it."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from oms import addresses
from oms.countries import CODES


def _one_line(value: str | None) -> str | None:
    """Refuse control characters (a CR LF in a name could forge an email header) and lone surrogates."""
    if value is not None and any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
        raise ValueError("must not contain control characters or unpaired surrogates")
    return value


def lines_of_text(value: str | None) -> str | None:
    """Free text may break lines; other control characters and lone surrogates are refused."""
    if value is not None:
        _one_line(value.translate(_LINE_BREAKS))
    return value


_LINE_BREAKS = str.maketrans({"\r": " ", "\n": " ", "\t": " "})


# The same rules as JSON Schema patterns, so the API document says what the validators refuse (a
# pattern applies to strings only; lone surrogates cannot be written in one and are refused all the same).
ONE_LINE_PATTERN = r"^[^\u0000-\u001F\u007F-\u009F]*$"
LINES_PATTERN = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"
OneLine = AfterValidator(_one_line)
OneLineSchema = Field(json_schema_extra={"pattern": ONE_LINE_PATTERN})
Text = Annotated[str, Field(min_length=1, max_length=200), OneLine, OneLineSchema]
OptionalText = Annotated[str | None, Field(default=None, max_length=200), OneLine, OneLineSchema]


def _json_integer(value: object) -> object:
    """An integer as JSON Schema means it: a number without a fraction (2 or 2.0); `true` and "2" are
    refused, not read as 1 and 2."""
    if isinstance(value, bool | str):
        raise ValueError("must be a JSON integer, not a boolean or a string")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonInteger = BeforeValidator(_json_integer)
Quantity = Annotated[int, Field(strict=True, ge=1, le=999), JsonInteger]
Rating = Annotated[int, Field(strict=True, ge=1, le=5), JsonInteger]


Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")]


class Strict(BaseModel):
    """Unknown fields are refused: a misspelt `backorderPolicy` must not silently take the default."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


EmailAddress = Annotated[
    str, Field(max_length=254, json_schema_extra={"format": "email"}), AfterValidator(addresses.well_formed)
]


def _iso_country(value: str) -> str:
    if value not in CODES:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code, in upper case")
    return value


Country = Annotated[
    str,
    Field(
        min_length=2,
        max_length=2,
        description="ISO 3166-1 alpha-2, upper case",
        json_schema_extra={"enum": sorted(CODES)},
    ),
    AfterValidator(_iso_country),
]

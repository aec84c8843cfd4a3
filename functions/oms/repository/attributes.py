"""Plain Python values to and from DynamoDB's typed attribute values, without boto3.

What boto3's `TypeSerializer` writes and its `TypeDeserializer` reads, by the same rules: numbers are ints
and Decimals held to DynamoDB's 38 digits (a float is refused, as boto3 refuses it), a set is a string,
number or binary set by what it holds, a mapping is a map and a list or tuple a list. Read back, a number is
an int when it is whole and a float otherwise, a set is a list and binary is bytes: the plain values every
record model takes. Importing boto3 pulls in s3transfer, which OMS never uses (about 75 ms of every cold
start), only for these two classes; botocore is all the clients need (`oms.aws`).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

# DynamoDB's numbers: 38 significant digits, exponents within its range; anything else is refused.
_NUMBERS = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])
_BINARY = (bytes, bytearray)


def typed(value: Any) -> dict[str, Any]:
    """`value` as one DynamoDB attribute value."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if _is_number(value):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, _BINARY):
        return {"B": bytes(value)}
    if isinstance(value, Set):
        if all(_is_number(v) for v in value):
            return {"NS": [_number(v) for v in value]}
        if all(isinstance(v, str) for v in value):
            return {"SS": list(value)}
        if all(isinstance(v, _BINARY) for v in value):
            return {"BS": [bytes(v) for v in value]}
    elif isinstance(value, Mapping):
        return {"M": {key: typed(v) for key, v in value.items()}}
    elif isinstance(value, list | tuple):
        return {"L": [typed(v) for v in value]}
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def plain(attribute: Mapping[str, Any]) -> Any:
    """One DynamoDB attribute value as a plain value."""
    ((kind, value),) = attribute.items()
    if kind in ("S", "BOOL"):
        return value
    if kind == "N":
        return _plain_number(value)
    if kind == "NULL":
        return None
    if kind == "M":
        return {key: plain(v) for key, v in value.items()}
    if kind == "L":
        return [plain(v) for v in value]
    if kind == "SS":
        return list(value)
    if kind == "NS":
        return [_plain_number(v) for v in value]
    if kind == "B":
        return bytes(value)
    if kind == "BS":
        return [bytes(v) for v in value]
    raise TypeError(f"Unknown DynamoDB type {kind!r}")


def _is_number(value: Any) -> bool:
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _number(value: int | Decimal) -> str:
    number = str(_NUMBERS.create_decimal(value))
    if number in ("Infinity", "NaN"):
        raise TypeError("Infinity and NaN not supported")
    return number


def _plain_number(text: str) -> int | float:
    number = _NUMBERS.create_decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)

"""A request's body as the client sent it, and the JSON in it, refused with a 4xx when it is not JSON OMS
can read: a declared non-JSON type (415), bytes that are not UTF-8, nesting beyond reason, or JSON
that does not parse (400), or more than an order could ever need (413)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import parse_qs

from oms.errors import DomainError

# The largest body a route reads: a 100-line order is about 15 KB; anything near this is not an order.
MAX_BODY_BYTES = 1024 * 1024
# JSON OMS takes nests a few levels (order -> lines -> line); this leaves room and refuses abuse early.
MAX_DEPTH = 32
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


class InvalidBody(DomainError):
    status, code = 400, "validation_error"

    def __init__(self, message: str) -> None:
        super().__init__(message, [{"field": "body", "message": message}])


class UnsupportedMediaType(DomainError):
    status, code = 415, "unsupported_media_type"


class PayloadTooLarge(DomainError):
    status, code = 413, "payload_too_large"


def header(event: dict[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name.lower():
            return str(value)
    return None


def media_type(event: dict[str, Any]) -> str | None:
    """The declared media type, lower case and without parameters; None when none was declared."""
    declared = header(event, "content-type")
    if declared is None:
        return None
    return declared.split(";", 1)[0].strip().lower() or None


def raw(event: dict[str, Any]) -> bytes:
    """The body's bytes exactly as the client sent them (what a partner's signature covers)."""
    body = event.get("body")
    if not body:
        return b""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as error:
            raise InvalidBody("The body is not valid base64.") from error
    return str(body).encode("utf-8", errors="surrogatepass")


def _is_json(media: str | None) -> bool:
    return media is None or media == JSON or (media.startswith("application/") and media.endswith("+json"))


def text(event: dict[str, Any], *, forms: bool = False) -> str:
    """The body as text, if its declared type is one the route reads (JSON; the page's form if `forms`)."""
    media = media_type(event)
    if not _is_json(media) and not (forms and media == FORM):
        accepted = f"{JSON} or {FORM}" if forms else JSON
        raise UnsupportedMediaType(f"The body must be sent as {accepted}, not {media}.")
    body = raw(event)
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidBody("The body is not UTF-8 text.") from error


def _too_deep(document: str) -> bool:
    if document.count("[") + document.count("{") <= MAX_DEPTH:
        return False
    depth, in_string, escaped = 0, False, False
    for char in document:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(document: str) -> Any:
    """The JSON value of `document`; InvalidBody when it is not strict JSON or nests too deep."""
    if _too_deep(document):
        raise InvalidBody(f"The body nests deeper than {MAX_DEPTH} levels.")
    try:
        return json.loads(document, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise InvalidBody("The body is not valid JSON.") from error


def json_body(event: dict[str, Any]) -> Any:
    """The request's JSON body, read as the contract says every JSON route reads it."""
    return parse_json(text(event))


def form(document: str) -> dict[str, str]:
    """An urlencoded form's fields, the first value of each."""
    return {name: values[0] for name, values in parse_qs(document, strict_parsing=False).items()}

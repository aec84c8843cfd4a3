"""Page cursors: a query's LastEvaluatedKey handed out as an opaque string, and taken back only for
the index partition it came from."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from oms.repository import keys


class BadCursor(ValueError):
    """A cursor this API did not give out for that list (partner and status, or filters)."""


def encode(last: dict[str, Any] | None) -> str | None:
    return base64.urlsafe_b64encode(json.dumps(last).encode()).decode() if last else None


def decode(cursor: str, index: str, partition: str) -> dict[str, Any]:
    """The ExclusiveStartKey of a cursor given out for `partition` of `index`; BadCursor otherwise."""
    try:
        start = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError) as error:
        raise BadCursor("not a cursor") from error
    partition_key, sort_key = keys.INDEX_KEYS[index]
    well_formed = (
        isinstance(start, dict)
        and set(start) == {"PK", "SK", partition_key, sort_key}
        and all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in start.values())
    )
    if not well_formed or start[partition_key]["S"] != partition:
        raise BadCursor("not a cursor of this list")
    return dict(start)


def decode_table_key(cursor: str, partition: str) -> dict[str, Any]:
    """The ExclusiveStartKey of a cursor given out for `partition` of the table itself; BadCursor otherwise."""
    try:
        start = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError) as error:
        raise BadCursor("not a cursor") from error
    well_formed = (
        isinstance(start, dict)
        and set(start) == {"PK", "SK"}
        and all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in start.values())
    )
    if not well_formed or start["PK"]["S"] != partition:
        raise BadCursor("not a cursor of this list")
    return dict(start)

"""Identifiers: time-ordered order ids, and shipment ids that name their order."""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: sortable, unambiguous


def _base32(number: int, length: int) -> str:
    out = []
    for _ in range(length):
        number, digit = divmod(number, 32)
        out.append(_ALPHABET[digit])
    return "".join(reversed(out))


def new_order_id() -> str:
    """`ORD-` and a ULID: millisecond time first, so ids sort by placement, then 80 random bits."""
    return "ORD-" + _base32(int(time.time() * 1000), 10) + _base32(secrets.randbits(80), 16)


def shipment_id(order_id: str, number: int) -> str:
    return f"{order_id}-S{number}"


def order_of_shipment(shipment_id: str) -> str | None:
    """The order a shipment id belongs to, or None when it is not one of ours."""
    order_id, sep, number = shipment_id.rpartition("-S")
    if not sep or not order_id.startswith("ORD-") or not number.isdigit():
        return None
    return order_id

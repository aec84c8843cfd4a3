"""The X-OMS-Signature HMAC scheme that partners sign with and OMS signs its webhooks with."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

HEADER = "X-OMS-Signature"
TOLERANCE_SECONDS = 300


class InvalidSignature(Exception):
    """The request is not provably from the holder of the secret; the message says why, for logs."""


def _mac(secret: str, body: bytes, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _is_unix_seconds(value: str) -> bool:
    # isdigit() alone accepts non-ASCII digits that int() reads; the length cap keeps the float
    # arithmetic against `now` from overflowing on a hostile header.
    return value.isascii() and value.isdigit() and len(value) <= 12


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The header value for `body` sent at `timestamp` (unix seconds)."""
    return f"t={timestamp},v1={_mac(secret, body, timestamp)}"


def verify(secrets: str | Sequence[str], body: bytes, header: str | None, now: float) -> None:
    """Raise InvalidSignature unless `header` signs `body` with one of `secrets` within the tolerance
    of `now`.

    Several `v1=` values are accepted so a partner can sign with an old and a new secret while it
    rotates, and several secrets so OMS accepts the previous one during a rotation's overlap; unknown
    schemes (`v0=`, ...) are ignored.
    """
    if not header:
        raise InvalidSignature("missing signature")
    timestamps: list[str] = []
    macs: list[str] = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            raise InvalidSignature("malformed signature")
        if name == "t":
            timestamps.append(value)
        elif name == "v1":
            macs.append(value)
    if len(timestamps) != 1 or not _is_unix_seconds(timestamps[0]) or not macs:
        raise InvalidSignature("malformed signature")
    timestamp = int(timestamps[0])
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise InvalidSignature("signature timestamp outside the tolerance")
    expected = [
        _mac(secret, body, timestamp).encode() for secret in ([secrets] if isinstance(secrets, str) else secrets)
    ]
    # Compare every pair, so the time taken says nothing about which one matched.
    matches = [hmac.compare_digest(mac, candidate.encode()) for mac in expected for candidate in macs]
    if not any(matches):
        raise InvalidSignature("signature does not match")

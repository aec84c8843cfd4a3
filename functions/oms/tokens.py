"""Feedback tokens: a URL-safe, expiring, HMAC-signed claim to one order's feedback form."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct

# Layout: version (1 byte) | expires_at (8 bytes, big-endian unsigned) | order id (UTF-8) | mac.
_VERSION = 1
_HEAD = struct.Struct(">BQ")
_MAC_BYTES = 16  # 128 bits: forging one is out of reach, and the link stays short
# A different purpose keyed with the same secret can never produce a valid feedback token.
_CONTEXT = b"oms.feedback-token\x00"
_MAX_TOKEN_CHARS = 1024


class InvalidToken(Exception):
    """The token is malformed, tampered with, signed with another key, or expired."""


def _mac(key: bytes, signed: bytes) -> bytes:
    return hmac.new(key, _CONTEXT + signed, hashlib.sha256).digest()[:_MAC_BYTES]


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def issue(key: bytes, order_id: str, expires_at: int) -> str:
    """A token for `order_id`'s feedback, valid until `expires_at` (unix seconds, exclusive)."""
    if not key:
        raise ValueError("a token key can't be empty")
    if not order_id:
        raise ValueError("a token needs an order id")
    if not 0 <= expires_at < 2**64:
        raise ValueError("expires_at must be unix seconds")
    signed = _HEAD.pack(_VERSION, expires_at) + order_id.encode()
    return _encode(signed + _mac(key, signed))


def read(key: bytes, token: str, now: int) -> str:
    """The order id `token` was issued for; InvalidToken unless it is genuine and unexpired at `now`."""
    if not key:
        raise ValueError("a token key can't be empty")
    if not token or len(token) > _MAX_TOKEN_CHARS or not token.isascii():
        raise InvalidToken("malformed token")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidToken("malformed token") from error
    # Only the exact encoding issue() produces is accepted: one token per claim, no aliases.
    if _encode(raw) != token or len(raw) <= _HEAD.size + _MAC_BYTES:
        raise InvalidToken("malformed token")
    signed, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    if not hmac.compare_digest(mac, _mac(key, signed)):
        raise InvalidToken("token signature does not match")
    version, expires_at = _HEAD.unpack_from(signed)
    if version != _VERSION:
        raise InvalidToken("unknown token version")
    if now >= expires_at:
        raise InvalidToken("token expired")
    try:
        return signed[_HEAD.size :].decode()
    except UnicodeDecodeError as error:
        raise InvalidToken("malformed token") from error

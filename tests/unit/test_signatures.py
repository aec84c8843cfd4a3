"""The X-OMS-Signature scheme: what OMS accepts and what it signs."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.signatures import HEADER, TOLERANCE_SECONDS, InvalidSignature, sign, verify

SECRET = "partner-secret"
BODY = b'{"event_id": "evt-1", "status": "SHIPPED"}'
NOW = 1_800_000_000


def test_the_header_is_the_contracts():
    assert HEADER == "X-OMS-Signature"


def test_a_signature_is_the_hmac_of_the_timestamp_and_the_raw_body():
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, BODY, NOW) == f"t={NOW},v1={expected}"


@given(body=st.binary(), secret=st.text(min_size=1), skew=st.integers(-TOLERANCE_SECONDS, TOLERANCE_SECONDS))
def test_what_oms_signs_verifies_within_the_tolerance(body, secret, skew):
    verify(secret, body, sign(secret, body, NOW), now=NOW + skew)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        "t=,v1=abc",
        f"t={NOW}",
        "v1=abc",
        f"t=-{NOW},v1=ab",
        f"t={NOW},t={NOW},v1=ab",
        "t=１２３,v1=ab",
        f"t={'9' * 40},v1=ab",
    ],
)
def test_a_missing_or_malformed_header_is_refused(header):
    with pytest.raises(InvalidSignature):
        verify(SECRET, BODY, header, now=NOW)


def test_a_changed_body_is_refused():
    with pytest.raises(InvalidSignature):
        verify(SECRET, BODY + b" ", sign(SECRET, BODY, NOW), now=NOW)


def test_another_secret_is_refused():
    with pytest.raises(InvalidSignature):
        verify(SECRET, BODY, sign("someone-else", BODY, NOW), now=NOW)


@pytest.mark.parametrize("skew", [TOLERANCE_SECONDS + 1, -TOLERANCE_SECONDS - 1])
def test_a_timestamp_more_than_five_minutes_from_now_is_refused(skew):
    with pytest.raises(InvalidSignature):
        verify(SECRET, BODY, sign(SECRET, BODY, NOW + skew), now=NOW)


def test_a_rotating_partner_may_send_several_signatures_one_of_which_matches():
    old = sign("old-secret", BODY, NOW).split(",")[1]
    header = f"{old},{sign(SECRET, BODY, NOW)} , v0=legacy"
    verify(SECRET, BODY, header, now=NOW)


def test_any_of_several_secrets_verifies_and_no_other() -> None:
    header = sign("previous-secret", BODY, NOW)

    verify(["current-secret", "previous-secret"], BODY, header, now=NOW)
    with pytest.raises(InvalidSignature):
        verify(["current-secret"], BODY, header, now=NOW)

"""Feedback tokens: issued for one order, readable only unaltered, with the key, before expiry."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms.tokens import InvalidToken, issue, read

KEY = b"k" * 32
NOW = 1_800_000_000
LATER = NOW + 86_400


@given(order_id=st.text(min_size=1, max_size=80), key=st.binary(min_size=1, max_size=64))
def test_a_token_reads_back_as_its_order_id(order_id, key):
    assert read(key, issue(key, order_id, LATER), now=NOW) == order_id


def test_a_token_is_url_safe_without_padding():
    token = issue(KEY, "01JBX5T0ZC8QZ9H2WQK8M3N4P5", LATER)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_an_expired_token_is_refused():
    token = issue(KEY, "order-1", LATER)
    with pytest.raises(InvalidToken):
        read(KEY, token, now=LATER)


def test_a_token_under_another_key_is_refused():
    with pytest.raises(InvalidToken):
        read(b"x" * 32, issue(KEY, "order-1", LATER), now=NOW)


@given(position=st.integers(0, 200), replacement=st.sampled_from("AbZ09-_"))
def test_any_changed_character_is_refused(position, replacement):
    token = issue(KEY, "order-1", LATER)
    index = position % len(token)
    tampered = token[:index] + replacement + token[index + 1 :]
    if tampered != token:
        with pytest.raises(InvalidToken):
            read(KEY, tampered, now=NOW)


@pytest.mark.parametrize("token", ["", "abc", "not a token", "é" * 10, "A" * 5000, "AAAA====", "****"])
def test_a_malformed_token_is_refused(token):
    with pytest.raises(InvalidToken):
        read(KEY, token, now=NOW)


def test_a_truncated_token_is_refused():
    token = issue(KEY, "order-1", LATER)
    with pytest.raises(InvalidToken):
        read(KEY, token[:-3], now=NOW)

"""POST /orders in AWS round trips: what a warm environment asks of AWS per request, counted by a botocore
hook on the handler's own calls (`local.meter`), so a change that adds a round trip fails here."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from local.meter import meter
from tests.scenario import ORDER, Scenario


def _post(oms: Scenario, ref: str, key: str | None = None) -> Any:
    body = {**copy.deepcopy(ORDER), "external_ref": ref}
    return oms.request("POST", "/orders", body, headers={"Idempotency-Key": key} if key else None)


def _calls(oms: Scenario, ref: str, key: str | None = None) -> tuple[Any, list[str]]:
    with meter() as reading:
        reply = _post(oms, ref, key)
    return reply, [f"{c.service}:{c.operation}" for c in reading.calls_of("PlaceOrderFunction")]


@pytest.fixture
def warm(oms: Scenario) -> Scenario:
    """An environment that has served one order: its clients made, the catalogue's SKUs known."""
    assert _post(oms, "WARM-1", "warm-1").status == 202
    return oms


def test_a_warm_post_with_an_idempotency_key_makes_three_calls(warm: Scenario) -> None:
    reply, calls = _calls(warm, "SHOP-1", "key-1")

    assert reply.status == 202
    assert calls == ["dynamodb:PutItem", "dynamodb:TransactWriteItems", "stepfunctions:StartExecution"]


def test_a_warm_post_without_a_key_makes_two_calls(warm: Scenario) -> None:
    reply, calls = _calls(warm, "SHOP-1")

    assert reply.status == 202
    assert calls == ["dynamodb:TransactWriteItems", "stepfunctions:StartExecution"]


def test_a_repeated_key_answers_the_first_order_in_two_calls(warm: Scenario) -> None:
    first = _post(warm, "SHOP-1", "key-1")

    again, calls = _calls(warm, "SHOP-1", "key-1")

    assert again.status == 202
    assert again.json == first.json
    # The claim refused with the first order in its answer; the execution started if the first was cut short.
    assert calls == ["dynamodb:PutItem", "stepfunctions:StartExecution"]


def test_a_key_reused_with_another_body_is_a_conflict_without_writing(warm: Scenario) -> None:
    _post(warm, "SHOP-1", "key-1")

    other, calls = _calls(warm, "SHOP-2", "key-1")

    assert other.status == 409
    assert other.error_code == "idempotency_conflict"
    assert calls == ["dynamodb:PutItem"]


def test_an_unknown_sku_is_refused_from_a_fresh_read(warm: Scenario) -> None:
    body = {**copy.deepcopy(ORDER), "external_ref": "SHOP-9", "lines": [{"sku": "NOPE-1", "quantity": 1}]}

    with meter() as reading:
        reply = warm.request("POST", "/orders", body)

    assert reply.error_code == "unknown_sku"
    assert [c.operation for c in reading.calls_of("PlaceOrderFunction")] == ["BatchGetItem"]


def test_a_duplicate_while_the_first_is_accepted_is_in_progress_until_the_first_would_have_timed_out(
    warm: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oms.repository import orders as repo

    def cut_short(*_: Any, **__: Any) -> None:
        raise TimeoutError("the first request's environment stopped after its claim")

    with monkeypatch.context() as patched:
        # Lambda stopped the environment: neither the order nor the claim's release was written.
        patched.setattr(repo, "create", cut_short)
        patched.setattr(repo, "release_key", lambda *_: None)
        assert _post(warm, "SHOP-1", "key-1").status == 500

    during = _post(warm, "SHOP-1", "key-1")
    warm.advance(warm.stack.runtime.spec("place_order").timeout + 1)
    after = _post(warm, "SHOP-1", "key-1")
    later = _post(warm, "SHOP-1", "key-1")

    assert during.status == 409
    assert during.error_code == "request_in_progress"
    assert after.status == 202
    assert later.json == after.json


def test_a_post_that_fails_gives_its_key_back_so_the_retry_is_served_at_once(
    warm: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    from oms.errors import TransientError
    from oms.repository import orders as repo

    def busy(*_: Any, **__: Any) -> None:
        raise TransientError("dynamodb TransactWriteItems: TransactionConflict")

    with monkeypatch.context() as patched:
        patched.setattr(repo, "create", busy)
        first = _post(warm, "SHOP-1", "key-1")

    retry = _post(warm, "SHOP-1", "key-1")

    assert first.status == 503
    assert retry.status == 202


def test_a_key_sent_with_a_taken_external_ref_is_a_conflict_every_time(warm: Scenario) -> None:
    _post(warm, "SHOP-1")
    body = {**copy.deepcopy(ORDER), "external_ref": "SHOP-1", "lines": [{"sku": "TEE-RED-M", "quantity": 3}]}

    first = warm.request("POST", "/orders", body, headers={"Idempotency-Key": "key-9"})
    again = warm.request("POST", "/orders", body, headers={"Idempotency-Key": "key-9"})

    assert (first.error_code, again.error_code) == ("idempotency_conflict", "idempotency_conflict")

"""An email's mark is given back when its send fails, even when the first try to give it back meets
contention: a mark left behind would keep the email from ever going out."""

from __future__ import annotations

from typing import Any

import pytest

from oms.errors import TransientError
from oms.notifications import send as sending
from oms.notifications.catalogue import EmailKind
from oms.records import StoredOrder

ORDER = StoredOrder.model_validate(
    {
        "order_id": "o1", "external_ref": "SHOP-1", "body_hash": "-", "backorder_policy": "ship_available",
        "customer": {"email": "ada@example.com", "name": "Ada"},
        "shipping_address": {"name": "Ada", "line1": "1 Road", "city": "London", "postal_code": "SW1Y 4JH",
                             "country": "GB"},
        "lines": [{"sku": "TEE", "quantity": 1}], "created_at": "2026-11-30T10:00:00Z",
        "updated_at": "2026-11-30T10:00:00Z",
    }
)  # fmt: skip


def test_a_failed_sends_mark_is_given_back_though_the_first_try_meets_contention(monkeypatch):
    released: list[Any] = []

    def release(*mark: Any) -> None:
        released.append(mark)
        if len(released) == 1:
            raise TransientError("TransactionConflict on the mark")

    def throttled(*_: Any) -> Any:
        raise TransientError("SES throttled")

    monkeypatch.setattr(sending.repo, "claim_email", lambda *_: True)
    monkeypatch.setattr(sending.repo, "release_email", release)
    monkeypatch.setattr(sending, "context", throttled)
    monkeypatch.setattr("oms.repository.dynamo.time.sleep", lambda _: None)

    with pytest.raises(TransientError, match="SES throttled"):
        sending.send(ORDER, EmailKind.ORDER_CONFIRMED)

    assert released == [("o1", "order_confirmed", None)] * 2

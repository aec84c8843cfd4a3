"""Compensation: an order that cannot finish gives back what it holds, is marked FAILED, and the
customer is told."""

from __future__ import annotations

from typing import Any

from oms import clock, events, listing
from oms.errors import DomainError
from oms.fulfilment.cancel import cancel_open_shipments
from oms.fulfilment.common import load
from oms.notifications.catalogue import EmailKind
from oms.notifications.send import send
from oms.observability import logger, metrics
from oms.repository import inventory
from oms.repository import orders as repo
from oms.repository.rounds import abandon_round
from oms.statuses import OrderState

# What the outside (the timeline, the bus, the storefront) may learn of a failure: a public reason code,
# never an exception's text or a stack trace. Those stay in the logs and the execution history.
_STEP_REASONS = {
    "States.Timeout": "step_timed_out",
    "TransientError": "dependency_unavailable",
    "ReservationConflict": "stock_kept_moving",
    "EmailConfigurationError": "email_unavailable",
}


def public_reason(error: dict[str, Any] | None) -> str:
    """The reason code the outside is told for the error a step failed with."""
    name = str((error or {}).get("Error") or "")
    known = {cls.__name__: cls.code for cls in _domain_errors(DomainError)}
    return (
        _STEP_REASONS.get(name)
        or known.get(name)
        or ("step_unavailable" if name.startswith("Lambda.") else "internal_error")
    )


def _domain_errors(base: type[DomainError]) -> list[type[DomainError]]:
    found = []
    for cls in base.__subclasses__():
        found += [cls, *_domain_errors(cls)]
    return found


def compensate(order_id: str, error: dict[str, Any] | None) -> None:
    """Release the reservations of unshipped shipments and the order's backorders, mark the order FAILED,
    tell the customer."""
    found = repo.load(order_id)
    if found is None:
        # An execution started for an order that was never written holds nothing to give back.
        logger.error("nothing to compensate: no such order", extra={"order_id": order_id, "error": error})
        return
    # A round an Allocate left half written holds stock that no shipment of the order shows yet.
    abandon_round(order_id)
    cancel_open_shipments(found)
    now = clock.iso()
    # A failed order waits for nothing: its units leave the backorder queues.
    inventory.clear_backorders(order_id, [line.sku for line in found.lines if line.backordered])
    if found.state != OrderState.FAILED:
        repo.set_header(order_id, {"state": OrderState.FAILED.value, "updated_at": now})
        detail = {"reason": public_reason(error)}
        repo.append_event(order_id, "OrderFailed", detail)
        metrics.add_metric(name="OrdersFailed", unit="Count", value=1)
        events.publish(order_id, "OrderFailed", detail)
    send(load(order_id), EmailKind.ORDER_FAILED)
    listing.refresh(repo.load(order_id))

"""The order list operators read: every order's summary, newest first, by status and by partner, kept
by `refresh`, which each writer that changes an order's status calls with the order read after it, unless
the write listed the order itself (docs/decisions.md 35)."""

from __future__ import annotations

from oms.admin_models import OrdersPage, OrderSummary
from oms.errors import TransientError
from oms.http import InvalidRequest
from oms.observability import logger, metrics
from oms.records import ListedOrder, StoredOrder
from oms.repository import listing as repo
from oms.repository.cursors import BadCursor
from oms.statuses import OrderStatus
from oms.views import order_view

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


def summary(order: StoredOrder) -> ListedOrder:
    """What the list shows of an order: its status and last change as `GET /orders/{order_id}` shows them,
    its shipments and the partners they went to."""
    view = order_view(order)
    return ListedOrder(
        order_id=order.order_id,
        external_ref=order.external_ref,
        customer=order.customer,
        created_at=order.created_at,
        status=view.status,
        updated_at=view.updated_at,
        shipments=len(order.shipments),
        partner_ids=list(dict.fromkeys(shipment.partner_id for shipment in order.shipments)),
    )


def refresh(order: StoredOrder | None) -> None:
    """List the order as read (None, no such order, lists nothing). A summary computed from fewer timeline
    events than the listed one changes nothing. Contention that outlasts the retries in place leaves the
    list behind until the order's next refresh, rather than failing the write that came before."""
    if order is None:
        return
    try:
        repo.write(summary(order), seq=len(order.timeline))
    except TransientError as error:
        metrics.add_metric(name="OrderListingBehind", unit="Count", value=1)
        logger.warning("the order list is behind this order", extra={"order_id": order.order_id, "reason": str(error)})


def page(status: OrderStatus | None, partner_id: str | None, cursor: str | None, limit: int = PAGE_SIZE) -> OrdersPage:
    """Orders in `status` with a shipment at `partner_id` (either may be None: any), newest first."""
    try:
        found, next_cursor = repo.page(status.value if status else None, partner_id, limit, cursor)
    except BadCursor as error:
        raise InvalidRequest.bad_cursor("with the same filters") from error
    return OrdersPage(
        orders=[OrderSummary.model_validate(listed.model_dump(mode="json")) for listed in found],
        next_cursor=next_cursor,
    )

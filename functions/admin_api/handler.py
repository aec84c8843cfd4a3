"""The admin API: stock receipts and stocktakes, a SKU's inventory and stock ledger, products and partners,
the order list (admin key)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from oms import admin, delivery, listing, stock, webhooks
from oms.admin_models import (
    PARTNER_ID_PATTERN,
    InventoryView,
    MovementsPage,
    OrdersPage,
    PartnerView,
    Redriven,
    RedriveRequest,
    StockAdjustment,
    StockReceipt,
    WebhookAttemptsPage,
)
from oms.errors import DomainError
from oms.http import proxy_problem, resolve, resolver
from oms.models import ErrorEnvelope, PartnerIn, ProductIn
from oms.observability import logger, metrics
from oms.settings import requires
from oms.statuses import OrderStatus

app = resolver()
SkuPath = Annotated[str, Path(max_length=64)]
PartnerPath = Annotated[str, Path(max_length=64)]


def _request_id() -> str:
    """API Gateway's id of this request: the same when the same invocation is delivered again."""
    return app.current_event.request_context.request_id


def _answer(description: str, model: type[BaseModel] = ErrorEnvelope) -> OpenAPIResponse:
    return {"description": description, "content": {"application/json": {"model": model}}}


_INVENTORY = _answer("The SKU's inventory", InventoryView)
_STOCK_ERRORS: dict[int, OpenAPIResponse] = {
    400: _answer(
        "validation_error: the body, a drop-shipped SKU, or a location that is not a warehouse or third party"
    ),
    404: _answer("unknown_sku: the SKU is not in the catalogue"),
}


@app.post(
    "/inventory/receipts",
    summary="Receive stock at a location",
    responses={
        200: _INVENTORY,
        **_STOCK_ERRORS,
        409: _answer("idempotency_conflict or request_in_progress"),
    },
)
def receive(
    receipt: Annotated[StockReceipt, Body()],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)] = None,
) -> InventoryView:
    return stock.receive(receipt, _request_id(), idempotency_key=idempotency_key, lambda_context=app.lambda_context)


@app.post(
    "/inventory/adjustments",
    summary="Set a location's count (stocktake)",
    responses={
        200: _INVENTORY,
        **_STOCK_ERRORS,
        409: _answer("below_reserved: more units are reserved there than counted"),
    },
)
def adjust(adjustment: Annotated[StockAdjustment, Body()]) -> InventoryView:
    return stock.adjust(adjustment, _request_id())


@app.get(
    "/inventory/<sku>",
    summary="A SKU's stock at every location and its backordered units",
    responses={200: _INVENTORY, 404: _answer("unknown_sku")},
)
def inventory(sku: SkuPath) -> InventoryView:
    return stock.view(sku)


@app.get(
    "/inventory/<sku>/movements",
    summary="A location's stock ledger for a SKU, newest first",
    description="Every change of the location's on_hand with its cause (the seed's opening count, receipts, "
    "stocktakes, shipments, out-of-stock corrections): on_hand is the sum of the deltas. The ledger can trail a "
    "change by a moment; `GET /inventory/{sku}` reads the counts as they are.",
    responses={
        200: _answer("A page of movements, newest first", MovementsPage),
        400: _answer(
            "validation_error: a drop-shipped SKU, a location that is not a warehouse or third party, a limit "
            "out of bounds, or a cursor this API did not give out for the same SKU and location"
        ),
        404: _answer("unknown_sku: the SKU is not in the catalogue"),
    },
)
def movements(
    sku: SkuPath,
    location: Annotated[str, Query(max_length=64, pattern=PARTNER_ID_PATTERN, description="the stock location")],
    cursor: Annotated[str | None, Query(max_length=2048, description="the previous page's next_cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=stock.MAX_PAGE_SIZE, description="movements a page")] = stock.PAGE_SIZE,
) -> MovementsPage:
    return stock.movements(sku, location, cursor, limit)


@app.put(
    "/products/<sku>",
    summary="Create or replace a product",
    responses={
        200: _answer("The product as stored", ProductIn),
        400: _answer(
            "validation_error: the body, a path naming another SKU, or a drop-shipped product whose vendor_id "
            "is not a VENDOR partner"
        ),
    },
)
def put_product(sku: SkuPath, product: Annotated[ProductIn, Body()]) -> ProductIn:
    return admin.put_product(sku, product)


@app.get(
    "/products/<sku>",
    summary="Read a product",
    responses={
        200: _answer("The product", ProductIn),
        404: _answer("unknown_sku"),
    },
)
def get_product(sku: SkuPath) -> ProductIn:
    return admin.product(sku)


@app.put(
    "/partners/<partner_id>",
    summary="Create or replace a partner (the secret is write-only)",
    description="A changed secret becomes current at once; the previous one keeps verifying signatures for "
    "24 hours after the change, so a partner can switch without a refused request.",
    responses={
        200: _answer("The partner, without its secret", PartnerView),
        400: _answer("validation_error: the body, or a path naming another partner"),
        422: _answer("undeliverable_address: the mail service refuses the partner's email address"),
    },
)
def put_partner(partner_id: PartnerPath, partner: Annotated[PartnerIn, Body()]) -> PartnerView:
    return admin.put_partner(partner_id, partner)


@app.get(
    "/partners/<partner_id>",
    summary="Read a partner (without its secret)",
    responses={
        200: _answer("The partner", PartnerView),
        404: _answer("partner_not_found"),
    },
)
def get_partner(partner_id: PartnerPath) -> PartnerView:
    return admin.partner(partner_id)


@app.get(
    "/orders",
    summary="List orders, newest first",
    description="Filter by order status, by a partner the order has shipments at, or both. The list can lag "
    "the orders by a moment: `GET /orders/{order_id}` reads an order as it is.",
    responses={
        200: _answer("A page of orders, newest first", OrdersPage),
        400: _answer(
            "validation_error: a status that is not an order status, a partner id or limit out of bounds, or "
            "a cursor this API did not give out for the same filters"
        ),
    },
)
def list_orders(
    status: Annotated[OrderStatus | None, Query(description="only orders in this status")] = None,
    partner_id: Annotated[
        str | None, Query(max_length=64, pattern=PARTNER_ID_PATTERN, description="only orders with a shipment there")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=2048, description="the previous page's next_cursor")] = None,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_PAGE_SIZE, description="orders a page")] = listing.PAGE_SIZE,
) -> OrdersPage:
    return listing.page(status, partner_id, cursor, limit)


_ATTEMPTS = _answer("A page of delivery attempts, newest first", WebhookAttemptsPage)
_ATTEMPTS_INVALID = _answer(
    "validation_error: a limit out of bounds, or a cursor this API did not give out for the same target"
)
_ATTEMPTS_DESCRIPTION = (
    "Every attempt is recorded: when, what the receiver answered, and when the next is due. A delivery counts "
    "when the receiver answers 2xx within 5 s; a failed one is tried again 30 s later, then after doubling "
    "delays of at most an hour, 12 attempts over about 5 hours, and then waits in the dead-letter queue. "
    "Attempts are kept 30 days."
)
Cursor = Annotated[str | None, Query(max_length=2048, description="the previous page's next_cursor")]
AttemptsLimit = Annotated[int, Query(ge=1, le=webhooks.MAX_PAGE_SIZE, description="attempts a page")]


@app.get(
    "/partners/<partner_id>/webhooks",
    summary="A partner's recent webhook deliveries, newest first",
    description=_ATTEMPTS_DESCRIPTION,
    responses={200: _ATTEMPTS, 400: _ATTEMPTS_INVALID, 404: _answer("partner_not_found")},
)
def partner_webhooks(
    partner_id: PartnerPath, cursor: Cursor = None, limit: AttemptsLimit = webhooks.PAGE_SIZE
) -> WebhookAttemptsPage:
    return webhooks.attempts(partner_id, cursor, limit)


@app.get(
    "/storefront/webhooks",
    summary="The storefront's recent webhook deliveries, newest first",
    description=_ATTEMPTS_DESCRIPTION,
    responses={200: _ATTEMPTS, 400: _ATTEMPTS_INVALID},
)
def storefront_webhooks(cursor: Cursor = None, limit: AttemptsLimit = webhooks.PAGE_SIZE) -> WebhookAttemptsPage:
    return webhooks.attempts(None, cursor, limit)


@app.post(
    "/webhooks/dead-letters/redrive",
    summary="Send dead-lettered webhook deliveries again",
    description="Moves the dead-letter queue's deliveries (up to 500 a call) back to the webhook queue, where each "
    "starts again from its first attempt, under its own event_id. Call again while `redriven` is 500. "
    "The body is `{}`, and the request must say so: a POST without a JSON body is refused as any other.",
    responses={200: _answer("How many deliveries were moved", Redriven)},
)
def redrive(_request: Annotated[RedriveRequest, Body()]) -> Redriven:
    return Redriven(redriven=delivery.redrive())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@metrics.log_metrics
@requires(
    "orders_table",
    "inventory_table",
    "catalog_table",
    "idempotency_table",
    "admin_api_key_id",
    "webhook_queue_url",
    "webhook_dead_letter_queue_url",
)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    # The authorizer lets only the admin key through to here; checked again, before anything is read, so that a
    # route deployed without the authorizer still refuses the storefront key.
    identity = (event.get("requestContext") or {}).get("identity") or {}
    try:
        admin.check_key(identity.get("apiKeyId"))
    except DomainError as refused:
        return proxy_problem(refused)
    return resolve(app, event, context)

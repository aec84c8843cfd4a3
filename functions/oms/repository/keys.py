"""Key formats of every item; nothing outside oms.repository builds a key.

| access pattern                     | table     | key                                          | used by |
| ---------------------------------- | --------- | -------------------------------------------- | ------- |
| an order with everything it owns   | Orders    | PK=ORDER#<id>, all SK                        | every step, orders_api |
| order header                       | Orders    | PK=ORDER#<id>, SK=ORDER                      | place_order, allocate |
| a round being written in chunks    | Orders    | PK=ORDER#<id>, SK=ORDER (round_plan*, round_chunks_done) | allocate, compensate |
| a shipment                         | Orders    | PK=ORDER#<id>, SK=SHIPMENT#<shipment_id>     | dispatch, tracking |
| timeline event                     | Orders    | PK=ORDER#<id>, SK=EVENT#<at>#<nn><nonce> (nn: place in its write) | every step |
| email sent once                    | Orders    | PK=ORDER#<id>, SK=EMAIL#<kind>#<shipment|->  | notify, dispatch, followup |
| feedback given once                | Orders    | PK=ORDER#<id>, SK=FEEDBACK                   | feedback |
| external_ref unique for ever       | Orders    | PK=REF#<external_ref>, SK=REF                | place_order |
| an Idempotency-Key's claim, 24 h   | Orders    | PK=IDEMPOTENCY#<key>, SK=IDEMPOTENCY (TTL `expires_at`) | place_order |
| partner event seen once            | Orders    | PK=PARTNER#<id>, SK=EVENT#<event_id>         | tracking |
| a partner's shipments by status    | Orders    | GSI1: GSI1PK=PARTNER#<id>#<status>, GSI1SK=<sent_at>#<shipment_id> | tracking |
| an order's listing at a partner    | Orders    | PK=ORDER#<id>, SK=LISTING#<partner_id>       | allocate, tracking, compensate |
| orders by status, newest first     | Orders    | GSI2: GSI2PK=ORDERS#<status>, GSI2SK=<created_at>#<order_id> (header) | admin_api |
| orders newest first                | Orders    | GSI3: GSI3PK=ORDERS, GSI3SK=<created_at>#<order_id> (header) | admin_api |
| a partner's orders (by status)     | Orders    | GSI3PK=ORDERS#PARTNER#<id> / GSI2PK=ORDERS#<status>#PARTNER#<id> (listing items) | admin_api |
| stock of a SKU at every location   | Inventory | PK=SKU#<sku>, SK begins_with LOC#            | allocate, tracking |
| backorders of a SKU, oldest first  | Inventory | PK=SKU#<sku>, SK begins_with BACKORDER#      | allocate, compensate, admin_api |
| a stock movement, once per cause   | Inventory | PK=SKU#<sku>, SK=MOVE#<location>#<kind>#<cause> | admin_api, tracking, cancel_order, compensate |
| every movement of a SKU            | Inventory | PK=SKU#<sku>, SK begins_with MOVE#           | tests (the ledger adds up) |
| a location's movements, newest first | Inventory | LEDGER: LEDGERPK=LEDGER#<sku>#<location>, LEDGERSK=<at>#<kind>#<cause> | admin_api |
| a product / a partner              | Catalog   | PK=PRODUCT#<sku> / PARTNER#<id>, SK=same kind | all |
| every partner, in rank order       | Catalog   | PK=PARTNERS, SK=DIRECTORY (one item, written with each partner) | allocate, admin_api |
| a webhook delivery attempt         | Orders    | PK=WEBHOOKS#<target>, SK=ATTEMPT#<at>#<event_id>#<attempt> | deliver_webhooks |
| a target's attempts, newest first  | Orders    | PK=WEBHOOKS#<target>, SK begins_with ATTEMPT# (descending) | admin_api |

A movement's sort key names its cause (a request id, an Idempotency-Key, a shipment), so a cause delivered
twice finds its movement there and records nothing; the LEDGER index sorts a location's movements by time
(docs/decisions.md, 24).

A webhook target is `PARTNER#<partner_id>` or `STOREFRONT`; an attempt's sort key starts with its time, so
a target's partition reads newest first, and names the delivery and its attempt number, so an attempt
recorded twice (a deliverer run again on the same receive) is one item.

An item an allocation round puts under ORDER#<id> carries `allocation_round`, the round that wrote it;
reading an order skips those of a round its header has not committed (oms.repository.rounds).
"""

from __future__ import annotations

ORDER_SK = "ORDER"
PARTNER_INDEX = "GSI1"
STATUS_INDEX = "GSI2"
ORDERS_INDEX = "GSI3"
LEDGER_INDEX = "LEDGER"  # on the Inventory table
# Each index's (partition, sort) key attributes.
INDEX_KEYS: dict[str, tuple[str, str]] = {
    PARTNER_INDEX: ("GSI1PK", "GSI1SK"),
    STATUS_INDEX: ("GSI2PK", "GSI2SK"),
    ORDERS_INDEX: ("GSI3PK", "GSI3SK"),
    LEDGER_INDEX: ("LEDGERPK", "LEDGERSK"),
}
# What the two listing indexes copy of an item besides its keys: an order's summary, not the order.
LISTING_PROJECTION = ("order_id", "external_ref", "customer", "created_at", "listing")


def order(order_id: str) -> dict[str, str]:
    return {"PK": f"ORDER#{order_id}", "SK": ORDER_SK}


def order_pk(order_id: str) -> str:
    return f"ORDER#{order_id}"


def shipment(order_id: str, shipment_id: str) -> dict[str, str]:
    return {"PK": f"ORDER#{order_id}", "SK": f"SHIPMENT#{shipment_id}"}


def event(order_id: str, at: str, nonce: str) -> dict[str, str]:
    return {"PK": f"ORDER#{order_id}", "SK": f"EVENT#{at}#{nonce}"}


def email(order_id: str, kind: str, shipment_id: str | None) -> dict[str, str]:
    return {"PK": f"ORDER#{order_id}", "SK": f"EMAIL#{kind}#{shipment_id or '-'}"}


def email_of(sort_key: str) -> tuple[str, str | None]:
    """(kind, shipment id or None) of an email mark's sort key."""
    kind, _, shipment_id = sort_key.removeprefix("EMAIL#").partition("#")
    return kind, None if shipment_id in ("", "-") else shipment_id


def feedback(order_id: str) -> dict[str, str]:
    return {"PK": f"ORDER#{order_id}", "SK": "FEEDBACK"}


def ref(external_ref: str) -> dict[str, str]:
    return {"PK": f"REF#{external_ref}", "SK": "REF"}


def idempotency(key: str) -> dict[str, str]:
    return {"PK": f"IDEMPOTENCY#{key}", "SK": "IDEMPOTENCY"}


def partner_event(partner_id: str, event_id: str) -> dict[str, str]:
    return {"PK": f"PARTNER#{partner_id}", "SK": f"EVENT#{event_id}"}


def partner_shipments(partner_id: str, status: str) -> str:
    return f"PARTNER#{partner_id}#{status}"


def partner_shipment_status(partner_id: str, status: str) -> dict[str, str]:
    """The index attribute that files a shipment under its partner's shipments in `status`."""
    return {"GSI1PK": partner_shipments(partner_id, status)}


def partner_shipment_index(partner_id: str, status: str, sent_at: str, shipment_id: str) -> dict[str, str]:
    return {**partner_shipment_status(partner_id, status), "GSI1SK": f"{sent_at}#{shipment_id}"}


def listing(order_id: str, partner_id: str) -> dict[str, str]:
    """The copy of an order's summary that lists it among the orders of a partner it has shipments at."""
    return {"PK": f"ORDER#{order_id}", "SK": f"LISTING#{partner_id}"}


def listed_orders(status: str | None, partner_id: str | None) -> tuple[str, str]:
    """The index and partition that list orders in `status` at `partner_id` (None: any), newest first."""
    at_partner = f"#PARTNER#{partner_id}" if partner_id else ""
    if status:
        return STATUS_INDEX, f"ORDERS#{status}{at_partner}"
    return ORDERS_INDEX, f"ORDERS{at_partner}"


def listed_order_index(status: str, created_at: str, order_id: str, partner_id: str | None) -> dict[str, str]:
    """The attributes that file a listing item (the header, or a partner's copy) in both listing indexes."""
    placed = f"{created_at}#{order_id}"
    return {
        "GSI2PK": listed_orders(status, partner_id)[1],
        "GSI2SK": placed,
        "GSI3PK": listed_orders(None, partner_id)[1],
        "GSI3SK": placed,
    }


def stock(sku: str, location: str) -> dict[str, str]:
    return {"PK": f"SKU#{sku}", "SK": f"LOC#{location}"}


BACKORDER_PREFIX = "BACKORDER#"


def backorder(sku: str, at: str, order_id: str) -> dict[str, str]:
    """An order's units of `sku` waiting for stock since `at`: sorted oldest first within the SKU."""
    return {"PK": f"SKU#{sku}", "SK": f"{BACKORDER_PREFIX}{at}#{order_id}"}


MOVEMENT_PREFIX = "MOVE#"


def movement(sku: str, location: str, movement_id: str) -> dict[str, str]:
    """A movement of `sku`'s stock at `location`; `movement_id` (`<kind>#<cause>`) is the same whenever the
    same cause moves it again. A location id has no `#`, so `MOVE#<location>#` holds that location's only."""
    return {"PK": f"SKU#{sku}", "SK": f"{MOVEMENT_PREFIX}{location}#{movement_id}"}


def ledger(sku: str, location: str) -> str:
    """The LEDGER index partition of one location's movements of `sku`."""
    return f"LEDGER#{sku}#{location}"


def ledger_index(sku: str, location: str, at: str, movement_id: str) -> dict[str, str]:
    """The attributes that file a movement in its location's ledger, in time order."""
    return {"LEDGERPK": ledger(sku, location), "LEDGERSK": f"{at}#{movement_id}"}


def sku_pk(sku: str) -> str:
    return f"SKU#{sku}"


def product(sku: str) -> dict[str, str]:
    return {"PK": f"PRODUCT#{sku}", "SK": "PRODUCT"}


def partner(partner_id: str) -> dict[str, str]:
    return {"PK": f"PARTNER#{partner_id}", "SK": "PARTNER"}


def partner_directory() -> dict[str, str]:
    """The one item listing every partner without its secret, kept in step with the partner items."""
    return {"PK": "PARTNERS", "SK": "DIRECTORY"}


ATTEMPT_PREFIX = "ATTEMPT#"


def webhook_target(partner_id: str | None) -> str:
    """The partition of a target's delivery attempts: a partner's, or the storefront's (None)."""
    return f"WEBHOOKS#PARTNER#{partner_id}" if partner_id else "WEBHOOKS#STOREFRONT"


def webhook_attempt(partner_id: str | None, at: str, event_id: str, attempt: int) -> dict[str, str]:
    return {"PK": webhook_target(partner_id), "SK": f"{ATTEMPT_PREFIX}{at}#{event_id}#{attempt:04d}"}

"""Loading a seed (partners with their secrets, products, stock counts), as `oms local` and fixtures do."""

from __future__ import annotations

from typing import Any

from oms import clock
from oms.models import Seed
from oms.repository import catalog, counts, secrets
from oms.repository.ledger import Cause
from oms.settings import settings
from oms.statuses import LOCATION_KINDS, Fulfilment, MovementKind


def load_seed(seed: Seed | dict[str, Any]) -> Seed:
    """Partners (secrets to Secrets Manager), the API keys' values (to their secrets), products and stock
    counts, in the seed's order. A count is the location's opening movement in its stock ledger: loading the
    seed again leaves an opened count alone."""
    seed = seed if isinstance(seed, Seed) else Seed.model_validate(seed)
    partners = {p.id: p for p in seed.partners}
    opening = Cause("seed", clock.iso())
    for rank, partner in enumerate(seed.partners):
        catalog.put_partner(partner, rank)
    for product in seed.products:
        if product.fulfillment == Fulfilment.DROPSHIP and partners.get(product.vendor_id or "") is None:
            raise ValueError(f"{product.sku}: vendor {product.vendor_id} is not a partner of the seed")
        catalog.put_product(product)
    for entry in seed.inventory:
        location = partners.get(entry.location)
        if location is None or location.kind not in LOCATION_KINDS:
            raise ValueError(f"{entry.sku}: location {entry.location} is not a warehouse or third party")
        counts.count(entry.sku, entry.location, entry.on_hand, opening, MovementKind.OPENING)
    secrets.store_secret(settings().storefront_key_secret_id, seed.api_keys.storefront)
    secrets.store_secret(settings().admin_key_secret_id, seed.api_keys.admin)
    if seed.settings.storefront_webhook_secret:
        secrets.store_secret(settings().storefront_webhook_secret_id, seed.settings.storefront_webhook_secret)
    return seed

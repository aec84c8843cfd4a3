"""The API's Lambda REQUEST authorizer: which party the `x-api-key` is (storefront or admin), and the routes that
party may call. API Gateway still checks the key itself afterwards (enabled, in the usage plan, throttled)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from oms import access
from oms.observability import logger, metrics
from oms.repository import secrets
from oms.settings import requires, settings


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@requires("storefront_key_secret_id", "admin_key_secret_id", "party_routes")
def lambda_handler(event: dict, context: LambdaContext) -> dict[str, Any]:
    current = settings()
    keys = {
        access.Party.STOREFRONT: secrets.secret_value(current.storefront_key_secret_id),
        access.Party.ADMIN: secrets.secret_value(current.admin_key_secret_id),
    }
    party = access.party_of(access.header(event, "x-api-key"), keys)
    # An allowed key is in the stage's access log (its party and the authorizer's status); a refusal is worth a line.
    if party is None:
        logger.info("refused an API key that is neither party's", extra={"method_arn": event.get("methodArn")})
    return access.policy(event, party, access.parse_routes(current.party_routes))

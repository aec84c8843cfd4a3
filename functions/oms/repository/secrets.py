"""Secrets in Secrets Manager: partners' signing secrets with their rotation overlap, and whole secrets
by id (the feedback-token key), each cached five minutes.

A partner's secret is one secret, `<PARTNER_SECRET_PREFIX><partner_id>`. Putting a new value makes it
`AWSCURRENT` and keeps the one before as `AWSPREVIOUS`; for `ROTATION_OVERLAP` after the current
version was created, a signature with either verifies. The overlap exists because a function that
read the secret before the rotation keeps it for up to `CACHE_SECONDS`, and because a partner cannot
switch its signing at the very moment the merchant changes the secret.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from oms import aws, clock
from oms.repository.dynamo import error_code
from oms.settings import settings

ROTATION_OVERLAP = timedelta(hours=24)
CACHE_SECONDS = 300

_lock = threading.Lock()
_partners: dict[str, tuple[float, PartnerSecrets | None]] = {}
_values: dict[str, tuple[float, str]] = {}


@dataclass(frozen=True)
class PartnerSecrets:
    current: str
    since: datetime  # when the current version was created
    previous: str | None

    def accepted(self, now: datetime) -> list[str]:
        """The secrets a signature may use at `now`: the current one, and the previous one during the overlap."""
        if self.previous is not None and now - self.since < ROTATION_OVERLAP:
            return [self.current, self.previous]
        return [self.current]


def accepted(partner_id: str) -> list[str]:
    """The secrets a partner's signature may be made with now; none for a partner without a secret."""
    found = _partner_secrets(partner_id)
    return found.accepted(clock.now()) if found else []


def _partner_secrets(partner_id: str) -> PartnerSecrets | None:
    now = time.monotonic()
    cached = _partners.get(partner_id)
    if cached and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    current = _version(partner_id, "AWSCURRENT")
    found = None
    if current is not None:
        previous = _version(partner_id, "AWSPREVIOUS")
        found = PartnerSecrets(
            current["SecretString"], current["CreatedDate"], previous["SecretString"] if previous else None
        )
    with _lock:
        _partners[partner_id] = (now, found)
    return found


def _version(partner_id: str, stage: str) -> dict[str, Any] | None:
    try:
        return dict(
            aws.client("secretsmanager").get_secret_value(SecretId=_partner_secret_name(partner_id), VersionStage=stage)
        )
    except ClientError as error:
        if error_code(error) == "ResourceNotFoundException":
            return None
        raise


def store_partner_secret(partner_id: str, secret: str) -> None:
    """Make `secret` the partner's current secret; the same value again changes nothing, so it does not
    push the previous secret out of its overlap."""
    current = _version(partner_id, "AWSCURRENT")
    client = aws.client("secretsmanager")
    if current is None:
        client.create_secret(
            Name=_partner_secret_name(partner_id),
            SecretString=secret,
            Description=f"OMS signing secret of partner {partner_id}",
        )
    elif current["SecretString"] != secret:
        client.put_secret_value(SecretId=_partner_secret_name(partner_id), SecretString=secret)
    with _lock:
        _partners.pop(partner_id, None)


def store_secret(secret_id: str, value: str) -> None:
    """Make `value` the secret's current value (the secret exists: the stack made it)."""
    aws.client("secretsmanager").put_secret_value(SecretId=secret_id, SecretString=value)
    with _lock:
        _values.pop(secret_id, None)


def secret_value(secret_id: str) -> str:
    """A whole secret by id or ARN, cached like the partner secrets."""
    now = time.monotonic()
    cached = _values.get(secret_id)
    if cached and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    secret = str(aws.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])
    with _lock:
        _values[secret_id] = (now, secret)
    return secret


def forget() -> None:
    """Drop every cached secret (a new local stack, or a test that changed them behind the cache)."""
    with _lock:
        _partners.clear()
        _values.clear()


def _partner_secret_name(partner_id: str) -> str:
    return f"{settings().partner_secret_prefix}{partner_id}"

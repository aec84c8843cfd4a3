"""Domain errors: each knows how the API shows it, and leaves a state-machine step under its own name."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A failure the caller can act on; `status` and `code` are how the API answers it."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class OrderNotFound(DomainError):
    status, code = 404, "order_not_found"


class UnknownSku(DomainError):
    status, code = 422, "unknown_sku"


class UndeliverableAddress(DomainError):
    status, code = 422, "undeliverable_address"


class IdempotencyConflict(DomainError):
    status, code = 409, "idempotency_conflict"


class RequestInProgress(DomainError):
    status, code = 409, "request_in_progress"


class ShipmentNotFound(DomainError):
    status, code = 404, "shipment_not_found"


class SignatureRejected(DomainError):
    status, code = 401, "invalid_signature"


class FeedbackExists(DomainError):
    status, code = 409, "feedback_exists"


class TokenRejected(DomainError):
    status, code = 404, "invalid_token"


class Forbidden(DomainError):
    """A valid API key of another party: the storefront's key on an admin route."""

    status, code = 403, "forbidden"


class SkuNotFound(UnknownSku):
    """A SKU named in the path or body of an admin call that the catalogue lacks."""

    status = 404


class PartnerNotFound(DomainError):
    status, code = 404, "partner_not_found"


class NotCancellable(DomainError):
    status, code = 409, "not_cancellable"


class BelowReserved(DomainError):
    status, code = 409, "below_reserved"


class TransientError(Exception):
    """Worth retrying as it is: a throttled or briefly unavailable dependency."""


class ReservationConflict(TransientError):
    """Stock moved between reading it and reserving it; allocating again will see the new counts."""


class EmailConfigurationError(Exception):
    """SES refuses every email OMS sends, not this one: the account is suspended or paused, the sender or
    its MAIL FROM domain is not verified, the configuration set is missing, the role may not send. An
    operator must act; retrying will not help and the message is not at fault."""

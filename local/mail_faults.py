"""SES refusing mail, as AWS does and moto never does: a fault to inject, not an emulation of SES.

moto's SES v2 sends to any address with a domain. SES refuses some messages when they are sent
(`MessageRejected`: an unverified recipient in the sandbox, a rejected message; `BadRequestException`:
an address it cannot take) and every message when the account or sender cannot send
(`AccountSuspendedException`, `SendingPausedException`, ...). `ses_refuses` makes the emulated SES v2
`SendEmail` (raw content, the only way OMS sends) answer such an error, for chosen recipients or for
every message, while it is open. A seeded local stack (`oms local` among them) refuses the
recipients named in `OMS_LOCAL_SES_REFUSE` (comma-separated) for as long as it runs, so an end-to-end
test can place an order whose customer SES refuses.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from moto.ses.exceptions import SesError
from moto.sesv2.models import SESV2Backend

REFUSE_VARIABLE = "OMS_LOCAL_SES_REFUSE"


@dataclass
class SesRefusal:
    """SES answering `code` to each message for one of `recipients` (every message when None)."""

    recipients: frozenset[str] | None
    code: str = "MessageRejected"
    refused: list[list[str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def applies(self, destinations: list[str]) -> list[str] | None:
        """The message's refused recipients when it is refused (and counted), else None."""
        addresses = [parseaddr(d)[1].lower() for d in destinations]
        hit = addresses if self.recipients is None else [a for a in addresses if a in self.recipients]
        if not hit:
            return None
        with self._lock:
            self.refused.append(hit)
        return hit

    def error(self, hit: list[str], region: str) -> SesError:
        if self.code == "MessageRejected":
            # What SES says of a recipient it will not take (the sandbox's wording).
            message = f"Email address is not verified. The following identities failed the check in region {region}: "
            message += ", ".join(hit)
        else:
            message = f"SES refused the message: {self.code}"
        refusal = type(self.code, (SesError,), {"code": self.code})
        return refusal(message)


@contextmanager
def ses_refuses(*recipients: str, code: str = "MessageRejected") -> Iterator[SesRefusal]:
    """While open, SES answers `code` to every message for one of `recipients`, or to every message
    when none is named."""
    refusal = SesRefusal(frozenset(r.lower() for r in recipients) if recipients else None, code)
    original = SESV2Backend.__dict__["send_raw_email"]

    def send_raw_email(backend: SESV2Backend, source: str, destinations: list[str], raw_data: str) -> Any:
        hit = refusal.applies(destinations)
        if hit is not None:
            raise refusal.error(hit, backend.region_name)
        return original(backend, source, destinations, raw_data)

    SESV2Backend.send_raw_email = send_raw_email  # type: ignore[method-assign,assignment]
    try:
        yield refusal
    finally:
        SESV2Backend.send_raw_email = original  # type: ignore[method-assign]


@contextmanager
def refusals_from_environment() -> Iterator[SesRefusal | None]:
    """While open, SES rejects mail to the recipients named in OMS_LOCAL_SES_REFUSE, if any."""
    named = [r.strip() for r in os.environ.get(REFUSE_VARIABLE, "").split(",") if r.strip()]
    if not named:
        yield None
        return
    with ses_refuses(*named) as refusal:
        yield refusal

"""moto's SES: sent messages stamped with the local clock."""

from __future__ import annotations

import functools
from typing import Any

from moto.ses.models import SESBackend

from local.moto_fixes.patching import patch
from oms import clock as oms_clock


def stamp_ses_send_time() -> None:
    """moto's sent SES messages carry no time, and the outbox must say when each was sent. The
    time the handlers see is the local clock, so each message is stamped with it as it is sent.
    Remove when the outbox no longer needs a send time, or moto's sent messages carry one that
    follows the local clock.
    """
    for name in ("send_email", "send_raw_email"):
        original = SESBackend.__dict__[name]

        def stamped(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            message = _original(*args, **kwargs)
            message.sent_at = oms_clock.iso()
            return message

        patch("stamp_ses_send_time", SESBackend, name, functools.wraps(original)(stamped))

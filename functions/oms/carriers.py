"""Tracking links built from a carrier's name and a tracking number, for partners that send none."""

from __future__ import annotations

import re
from urllib.parse import quote

# Keyed by the carrier name folded by _fold(); `{number}` is replaced by the quoted tracking number.
TRACKING_URL_TEMPLATES: dict[str, str] = {
    "ups": "https://www.ups.com/track?tracknum={number}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={number}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
    "dhl": "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id={number}",
    "royalmail": "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
}

# Other spellings partners send for the same carriers.
_ALIASES: dict[str, str] = {
    "unitedparcelservice": "ups",
    "federalexpress": "fedex",
    "unitedstatespostalservice": "usps",
    "dhlexpress": "dhl",
}

_SEPARATORS = re.compile(r"[\s\-_.]+")


def _fold(carrier: str) -> str:
    folded = _SEPARATORS.sub("", carrier).casefold()
    return _ALIASES.get(folded, folded)


def tracking_url(carrier: str | None, tracking_number: str | None) -> str | None:
    """The carrier's tracking page for this number, or None for an unknown carrier or no number."""
    if not carrier or not tracking_number:
        return None
    template = TRACKING_URL_TEMPLATES.get(_fold(carrier))
    # Spaces are how people group the characters of a number, never part of it.
    number = "".join(tracking_number.split())
    if template is None or not number:
        return None
    return template.format(number=quote(number, safe=""))

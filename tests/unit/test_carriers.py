"""Tracking links from carrier names."""

from __future__ import annotations

import pytest

from oms.carriers import tracking_url


@pytest.mark.parametrize(
    ("carrier", "expected"),
    [
        ("UPS", "https://www.ups.com/track?tracknum=1Z999AA10123456784"),
        ("FedEx", "https://www.fedex.com/fedextrack/?trknbr=1Z999AA10123456784"),
        ("usps", "https://tools.usps.com/go/TrackConfirmAction?tLabels=1Z999AA10123456784"),
        (
            "DHL",
            "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=1Z999AA10123456784",
        ),
        ("Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/1Z999AA10123456784"),
    ],
)
def test_each_known_carrier_has_its_tracking_page(carrier, expected):
    assert tracking_url(carrier, "1Z999AA10123456784") == expected


@pytest.mark.parametrize("spelling", ["royal mail", "Royal-Mail", "RoyalMail", " ROYAL  MAIL "])
def test_carrier_names_match_whatever_the_case_spaces_or_hyphens(spelling):
    assert tracking_url(spelling, "AB123456789GB") == tracking_url("Royal Mail", "AB123456789GB")
    assert tracking_url(spelling, "AB123456789GB") is not None


def test_an_unknown_carrier_has_no_link():
    assert tracking_url("Pigeon Post", "123") is None


@pytest.mark.parametrize(("carrier", "number"), [(None, "123"), ("UPS", None), ("UPS", "  "), ("", "123")])
def test_a_missing_carrier_or_number_has_no_link(carrier, number):
    assert tracking_url(carrier, number) is None


def test_the_number_is_quoted_so_it_cannot_change_the_link():
    assert tracking_url("UPS", "1Z9&x=<y>/z") == "https://www.ups.com/track?tracknum=1Z9%26x%3D%3Cy%3E%2Fz"


def test_spaces_grouping_a_number_are_dropped():
    assert tracking_url("UPS", " 1Z 999 AA1 ") == "https://www.ups.com/track?tracknum=1Z999AA1"

"""What the mail service can take: an internationalised domain goes out in ASCII, a name before the @
that is not plain ASCII is refused before any mail is attempted."""

from oms import addresses


def test_an_internationalised_domain_is_sent_in_its_ascii_form():
    assert addresses.undeliverable("ada@bücher.de") is None
    assert addresses.ascii_form("ada@bücher.de") == "ada@xn--bcher-kva.de"
    assert addresses.ascii_form("ada@example.com") == "ada@example.com"


def test_a_name_before_the_at_that_is_not_plain_ascii_cannot_be_sent_to():
    assert addresses.unsendable("zoë@example.com")
    assert addresses.undeliverable("zoë@example.com")
    assert addresses.unsendable("zoe@bücher.de") is None


def test_a_reserved_domain_is_well_formed_but_undeliverable():
    assert addresses.well_formed("pick@shop.test") == "pick@shop.test"
    assert addresses.undeliverable("pick@shop.test")
    assert addresses.unsendable("pick@shop.test") is None

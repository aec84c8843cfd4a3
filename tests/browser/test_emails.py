"""Every kind of email, in a real browser at a phone's and a desktop client's width: nothing scrolls sideways,
every image says what it shows, and the plain-text part carries every link."""

from __future__ import annotations

from typing import Any

import pytest

from oms.notifications.catalogue import EmailKind, render
from tests.unit.test_catalogue import CONTEXT
from tests.unit.test_email_layout import BRAND

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def reader(chromium: Any) -> Any:
    """One page for every email, offline: a reader's client may not load remote images either."""
    context = chromium.new_context()
    page = context.new_page()
    page.route("**/*", lambda route: route.abort())
    yield page
    context.close()


@pytest.mark.parametrize("width", [375, 600])
@pytest.mark.parametrize("kind", list(EmailKind))
def test_every_kind_fits_the_width_has_alt_text_and_a_text_part_with_every_link(reader, kind, width):
    email = render(kind, CONTEXT, BRAND)
    reader.set_viewport_size({"width": width, "height": 800})
    reader.set_content(email.html, wait_until="domcontentloaded")

    assert reader.evaluate("document.documentElement.scrollWidth") <= width
    images = reader.eval_on_selector_all("img", "images => images.map(i => i.getAttribute('alt') || '')")
    assert images and all(alt.strip() for alt in images)
    links = reader.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert links
    for href in links:
        assert href.removeprefix("mailto:") in email.text, href

"""Browser tier: the ops page in headless Chromium (Debian's `chromium`, driven by Playwright), against one
`oms local` and one browser for the whole tier."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Client, running_oms_local

CHROMIUM = os.environ.get("OMS_CHROMIUM", "/usr/bin/chromium")
ENABLE = (
    f"the browser tests need Chromium at {CHROMIUM} and the playwright package: "
    "`sudo apt-get install chromium` (or run `CI=true make test`, which installs it), or set OMS_CHROMIUM"
)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(ENABLE)
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        pytest.skip(ENABLE)
    # Chromium refuses to run as root inside its own sandbox; a container's root has no other.
    args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def ops(chromium: Any) -> Iterator[Client]:
    """The tier's `oms local`, started only once a browser is there to look at it."""
    with running_oms_local() as client:
        yield client


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()

"""Real Debian chromium driven by Playwright; a screenshot of every failing test's page."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from annotator.storage import Database
from tests.conftest import sqlite_database

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Without the networking flags chromium tries to reach Google's hosts at start.
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("ANNOTATOR_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _page(browser: Browser, request: pytest.FixtureRequest, **context_options: object) -> Iterator[Page]:
    """A page in a fresh context; fails the test on any JavaScript error, screenshots a failure."""
    context = browser.new_context(**context_options)  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    yield from _page(browser, request, viewport={"width": 1400, "height": 900})


@pytest.fixture
def laptop(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The common small laptop screen, 1366 x 768."""
    yield from _page(browser, request, viewport={"width": 1366, "height": 768})


@pytest.fixture
def phone(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A phone held upright, used with a finger."""
    yield from _page(
        browser, request, viewport={"width": 390, "height": 844}, device_scale_factor=3, is_mobile=True, has_touch=True
    )


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """Browser tests exercise the page, not storage: SQLite alone is enough."""
    yield from sqlite_database(tmp_path)

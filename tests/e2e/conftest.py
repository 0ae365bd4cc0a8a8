"""Fixtures for the end-to-end tests (``pytest -m e2e``).

They need Debian's chromium (/usr/bin/chromium) and ``npm ci`` (the Playground in node_modules). When
either is missing the tests fail with a message saying so: CI installs both, so a skip would hide a
broken set-up.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.e2e.playground import (
    CHROMIUM,
    CHROMIUM_ARGS,
    E2E,
    HarnessError,
    check_prerequisites,
    prepare_demo_database,
)


def _problem(step: Callable[[], object]) -> str:
    """Run ``step``: the message of its HarnessError, or "" (so that pytest.fail is not chained)."""
    try:
        step()
    except HarnessError as exc:
        return str(exc)
    return ""


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember each phase's report on the item, so that fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def e2e_prerequisites() -> None:
    problem = _problem(check_prerequisites)
    if problem:
        pytest.fail(problem, pytrace=False)


# Module scope, not session: while the sync Playwright runs, its event loop counts as the thread's running
# loop, and every async test collected after the e2e modules would fail ("asyncio.run() cannot be called from
# a running event loop").
@pytest.fixture(scope="module")
def e2e_playwright(e2e_prerequisites: None) -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def e2e_browser(e2e_playwright: Playwright) -> Iterator[Browser]:
    browser = e2e_playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="session")
def e2e_demo_database(tmp_path_factory: pytest.TempPathFactory, e2e_prerequisites: None) -> Path:
    """`cosbot db upgrade` + `cosbot demo` once; every test starts its bot on a copy."""
    workdir = tmp_path_factory.mktemp("e2e-demo-db")
    problem = _problem(lambda: prepare_demo_database(workdir))
    if problem:
        pytest.fail(problem, pytrace=False)
    return workdir / "e2e.db"


@pytest.fixture
def e2e(
    request: pytest.FixtureRequest, tmp_path: Path, e2e_browser: Browser, e2e_demo_database: Path
) -> Iterator[E2E]:
    """A bot, a Playground and a page for one test; call ``e2e.start(as_email)`` first.

    On failure the screenshot, the page's HTML, the conversation stream, the bot's output and the Playground's
    logs are kept in the test's tmp dir (the paths are printed), and the end of the bot's stderr is shown.
    """
    harness = E2E(workdir=tmp_path, browser=e2e_browser, database_template=e2e_demo_database)
    try:
        yield harness
    finally:
        report = getattr(request.node, "rep_call", None) or getattr(request.node, "rep_setup", None)
        if report is not None and report.failed:
            saved = harness.save_artifacts(tmp_path / "failure")
            print("\nend-to-end artefacts:\n  " + "\n  ".join(str(p) for p in saved))
            print("\nbot stderr (end):\n" + harness.bot_stderr_tail())
        harness.close()

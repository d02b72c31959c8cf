"""Browser tests: Playwright for Python driving the system's Chromium against a live server."""

import os
import shutil
from pathlib import Path

import pytest

from tests.e2e.axe import AxeAudit

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail(
            "Chromium is not installed: `make test` installs it on Debian; elsewhere set CHROMIUM_PATH."
        )
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def axe_audit(browser, monkeypatch, request):
    """Every page a browser test acts on is checked with axe-core (see tests/e2e/axe.py)."""
    audit = AxeAudit()
    audit.install(monkeypatch)
    request.node.axe_audit = audit
    request.node.axe_browser = browser
    return audit


@pytest.fixture
def page(browser, axe_audit, request):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


AXE_TOTALS = {"tests": 0, "states": 0, "pages": set(), "failing": 0}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After a browser test passed, check the pages still open; fail on any axe violation."""
    audit = getattr(item, "axe_audit", None)
    try:
        result = yield
    except BaseException:
        if audit is not None:
            audit.finished = True  # the test's own failure is the news; teardown checks nothing
        raise
    if audit is not None:
        audit.check_open_pages(item.axe_browser.contexts)
        report = audit.report()
        AXE_TOTALS["tests"] += 1
        AXE_TOTALS["states"] += audit.checks
        AXE_TOTALS["pages"] |= audit.paths
        AXE_TOTALS["failing"] += len(audit.violations)
        if report:
            pytest.fail(report, pytrace=False)
    return result


def pytest_terminal_summary(terminalreporter):
    if AXE_TOTALS["tests"]:
        terminalreporter.write_line(
            f"axe-core: {AXE_TOTALS['states']} page states on {len(AXE_TOTALS['pages'])} pages checked in "
            f"{AXE_TOTALS['tests']} browser tests; {AXE_TOTALS['failing']} failing elements"
        )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "counter-demo")
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{live_server.url}/")

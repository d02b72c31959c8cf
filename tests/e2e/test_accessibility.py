"""The axe-core check every browser test runs (tests/e2e/axe.py), and the project's colours.

The pages here are served by the test itself (Playwright answers for /a11y-test/ on the live
server), with the live server's own Bootstrap and app.css, so each fault is there on purpose.
"""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


# Every colour the templates put text in, on the grey page, on white cards, in striped rows.
COLOURS = """
<main><h1>Colours</h1>
<p>A <a href="#">link</a>, <span class="text-muted">muted</span>, <span class="text-body-secondary">secondary
body</span>, <span class="text-secondary">secondary</span>, <span class="text-success">success</span> and
<span class="text-danger">danger</span> text, <span class="small text-muted">small muted</span>,
<span class="kbd-hint">a keyboard hint</span>.</p>
<p><a class="btn btn-outline-primary" href="#">Outline primary</a> <a class="btn btn-sm btn-outline-secondary" href="#">Outline
secondary</a> <a class="btn btn-sm btn-outline-danger" href="#">Outline danger</a> <a class="btn btn-outline-success"
href="#">Outline success</a> <a class="btn btn-outline-warning" href="#">Outline warning</a>
<button class="btn btn-primary" type="button">Primary</button> <button class="btn btn-success" type="button">Success</button>
<button class="btn btn-danger" type="button">Danger</button> <button class="btn btn-secondary" type="button">Secondary</button>
<button class="btn btn-link" type="button">Link button</button></p>
<p><span class="badge text-bg-secondary">suspended</span> <span class="badge text-bg-success">paid</span>
<span class="badge text-bg-danger">voided</span> <span class="badge text-bg-warning">open</span></p>
<table class="table table-sm table-striped table-hover"><thead><tr><th>Number</th><th>Status</th></tr></thead>
<tbody><tr><td><a href="#">R-1</a> <span class="text-muted small">note</span></td><td class="text-danger">late</td></tr>
<tr><td><a href="#">R-2</a> <span class="text-muted small">note</span></td><td class="text-success">paid</td></tr></tbody></table>
<div class="card"><div class="card-body"><a href="#">Card link</a> <span class="text-muted">muted</span>
<a class="btn btn-outline-primary btn-sm" href="#">Find</a></div></div>
</main>"""

FAULTS = """
<main><p>No heading on this page.</p>
<table class="table"><thead><tr><th>Number</th><th></th></tr></thead><tbody><tr><td>1</td><td>x</td></tr></tbody></table>
<div class="table-responsive" style="width: 12rem"><table class="table"><tbody><tr>
<td>aaaaaaaaaaaaaaaaaaaa</td><td>bbbbbbbbbbbbbbbbbbbbbbbbb</td><td>cccccccccccccccccccccccc</td></tr></tbody></table></div>
<a class="btn btn-outline-primary" href="/a11y-test/next">Next</a>
</main>"""


def _serve(page, live_server, body, stylesheets=("vendor/bootstrap/css/bootstrap.min.css", "css/app.css")):
    links = "".join(f'<link rel="stylesheet" href="{live_server.url}/static/{s}">' for s in stylesheets)
    html = f'<!doctype html><html lang="en"><head><title>Test page</title>{links}</head><body>{body}</body></html>'

    def answer(route):
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

    page.route(f"{live_server.url}/a11y-test/**", answer)


def test_the_check_names_each_failing_element_before_the_test_leaves_the_page(page, live_server, axe_audit):
    _serve(page, live_server, FAULTS, stylesheets=("vendor/bootstrap/css/bootstrap.min.css",))
    page.goto(f"{live_server.url}/a11y-test/faults")
    page.evaluate("() => document.body.style.background = '#f6f7f9'")  # the project's page colour
    page.get_by_role("link", name="Next").click()  # checked first: the next page is the same
    page.wait_for_url(f"{live_server.url}/a11y-test/next")

    found = {(path, rule) for path, rule, _ in axe_audit.violations}
    assert {
        ("/a11y-test/faults", "color-contrast"),  # Bootstrap's own blue outline button on the grey page
        ("/a11y-test/faults", "empty-table-header"),
        ("/a11y-test/faults", "page-has-heading-one"),
        ("/a11y-test/faults", "scrollable-region-focusable"),
    } <= found
    report = axe_audit.report()
    assert "page /a11y-test/faults" in report
    assert "[empty-table-header, minor]" in report and "<th></th>" in report
    assert "insufficient color contrast" in report and "#0d6efd" in report
    axe_audit.violations.clear()  # the faults were on purpose: this test passes when they are found


def test_the_projects_colours_pass_on_the_grey_page_and_bootstraps_do_not(page, live_server, axe_audit):
    _serve(page, live_server, COLOURS)  # with app.css: every colour passes, on the grey page and on white
    page.goto(f"{live_server.url}/a11y-test/project")
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(246, 247, 249)"
    axe_audit.check(page)
    assert axe_audit.checks == 1 and not axe_audit.violations, axe_audit.report()

    page.unroute(f"{live_server.url}/a11y-test/**")
    _serve(page, live_server, COLOURS, stylesheets=("vendor/bootstrap/css/bootstrap.min.css",))
    # Bootstrap's own colours on the same grey page: links, outline buttons, grey and green text fail
    page.goto(f"{live_server.url}/a11y-test/bootstrap")
    page.evaluate("() => document.body.style.background = '#f6f7f9'")
    axe_audit.check(page)
    failing = [v["html"] for (_, rule, _), v in axe_audit.violations.items() if rule == "color-contrast"]
    for fault in (
        "btn-outline-primary",
        "btn-outline-secondary",
        "text-secondary",
        "text-success",
        'href="#">link',
    ):
        assert any(fault in html for html in failing), fault
    axe_audit.violations.clear()  # found on purpose


def test_a_sideways_scrolling_table_is_reached_by_keyboard_even_when_a_template_forgets(
    page, live_server, axe_audit
):
    wide = FAULTS.replace("<p>No heading on this page.</p>", "<h1>Wide</h1><h2>Monthly totals</h2>")
    wide = wide.replace("<th></th>", "<th>Letter</th>")
    wide += f'<script src="{live_server.url}/static/js/app.js"></script>'
    _serve(page, live_server, wide)
    page.goto(f"{live_server.url}/a11y-test/wide")
    box = page.locator(".table-responsive")
    assert box.evaluate("(b) => b.scrollWidth > b.clientWidth")  # it does scroll
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    assert box.get_attribute("aria-label") == "Monthly totals"  # named by the heading above it
    axe_audit.check(page)
    assert not axe_audit.violations, axe_audit.report()
    page.keyboard.press("Tab")  # the first stop is the table: it scrolls with the arrow keys
    assert page.evaluate("document.activeElement.classList.contains('table-responsive')")

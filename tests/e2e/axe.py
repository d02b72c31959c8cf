"""axe-core on every page state the browser tests see, at WCAG 2.1 A and AA (plus a few of axe's
best-practice rules: ALSO_RULES).

While a browser test runs, every Playwright action that can change or leave a page (a click, a key
press, `goto`, `reload`, going back, choosing an option, waiting for a popup or download, closing
a page or context) first checks the page it acts on, and when the test ends every page still open
is checked. So each page the tests visit is checked in each state the test acted on: as it loaded,
after typing, after a script changed it. A MutationObserver marks a document as changed; an
unchanged one is not checked twice.

axe.min.js (vendored from npm, see vendor/axe-core/VERSION.md) is injected once into a document
when that document is first checked; nothing is fetched at test time. The violations are collected
and the test fails at its end with one entry per failing element: page, rule, impact, CSS target,
the element's HTML and axe's own summary of what to fix.

Why not check as a page loads or as it is left: Playwright can't evaluate in a page while a
navigation from it is pending (the evaluation waits for the next document), and a `load` event
handler races the test's next action. Checking before the test's own actions is deterministic.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Keyboard, Locator, Page
from playwright.sync_api import Error as PlaywrightError

AXE_JS = (Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe's "best practice" rules the project holds itself to as well (issue 11, point 23): a header cell
# says what its column holds, every page has one h1 and its content in landmarks.
ALSO_RULES = ["empty-table-header", "page-has-heading-one", "landmark-one-main", "region"]

# Installs axe's companion: a flag that says the document changed since its last check.
WATCH_CHANGES = """() => {
  window.__rcAxeDirty = true;
  window.__rcAxeObserver = new MutationObserver(() => { window.__rcAxeDirty = true; });
  window.__rcAxeObserver.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
}"""

# Runs in the page: waits (up to 5 s) for the document to have loaded, then runs axe if it changed.
RUN_AXE = """async ([tags, rules]) => {
  if (!document.contentType || !document.contentType.includes("html") || !document.body) return null;
  if (document.readyState !== "complete") {
    await new Promise((ok) => { addEventListener("load", ok, { once: true }); setTimeout(ok, 5000); });
  }
  if (typeof axe === "undefined") throw new Error("axe-core is not in this document: navigated");
  if (!window.__rcAxeDirty) return [];
  window.__rcAxeDirty = false;
  // a button caught mid-transition (Bootstrap fades colours over .15 s) is checked as it settles
  for (const anim of document.getAnimations()) { try { anim.finish(); } catch (e) { /* endless */ } }
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: tags }, resultTypes: ["violations"],
    rules: Object.fromEntries(rules.map((id) => [id, { enabled: true }])),
  });
  window.__rcAxeObserver.takeRecords();  // what axe itself touched is not a change of the page
  window.__rcAxeChecks = (window.__rcAxeChecks || 0) + 1;
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({
      target: n.target.map((t) => Array.isArray(t) ? t.join(" >>> ") : t).join(" "),
      summary: (n.failureSummary || "").replace(/\\s+/g, " ").trim(),
      html: n.html.replace(/\\s+/g, " ").slice(0, 200),
    })),
  }));
}"""

# Playwright actions that can change or leave the page: the page is checked before each.
# The `expect_*` waits are checked as they start, so their timeout doesn't include axe's run.
CHECKED_BEFORE = {
    Page: ["goto", "reload", "go_back", "go_forward", "click", "dblclick", "press", "check", "select_option"]
    + ["expect_popup", "expect_download", "expect_navigation", "expect_event", "expect_response"],
    Locator: ["click", "dblclick", "press", "check", "select_option"],
    Keyboard: ["press"],
}


class AxeAudit:
    """Collects the violations of every page a test acts on."""

    def __init__(self):
        self.violations: dict[tuple[str, str, str], dict] = {}  # (path, rule, target) -> details
        self.checks = 0  # how many page states axe ran on
        self.paths: set[str] = set()  # the pages checked
        self.finished = False
        self._keyboards: dict[int, Page] = {}

    # -- wiring ---------------------------------------------------------------------------------
    def install(self, monkeypatch) -> None:
        """Wrap Playwright's page-changing actions (for the length of one test) to check first."""
        for cls, names in CHECKED_BEFORE.items():
            for name in names:
                monkeypatch.setattr(cls, name, self._checked_first(getattr(cls, name)))
        monkeypatch.setattr(Page, "close", self._checked_first(Page.close))
        context_close = BrowserContext.close

        def close_context(context, *args, **kwargs):
            for page in context.pages:
                self.check(page)
            return context_close(context, *args, **kwargs)

        monkeypatch.setattr(BrowserContext, "close", close_context)

    def _checked_first(self, action):
        audit = self

        def checked(target, *args, **kwargs):
            audit.check(audit._page_of(target))
            return action(target, *args, **kwargs)

        checked.__wrapped__ = action
        return checked

    def _page_of(self, target) -> Page | None:
        if isinstance(target, Page):
            self._keyboards[id(target.keyboard)] = target
            return target
        if isinstance(target, Locator):
            return target.page
        return self._keyboards.get(id(target))

    # -- checking -------------------------------------------------------------------------------
    def check(self, page: Page | None) -> None:
        """Run axe on the page's current document (if it changed) and remember what it finds."""
        if self.finished or page is None or page.is_closed() or not page.url.startswith("http"):
            return
        self._keyboards[id(page.keyboard)] = page
        try:
            found = self._run(page)
        except PlaywrightError as exc:  # the page was still leaving for the next one: check that
            if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                raise
            page.wait_for_load_state()
            found = self._run(page)
        if found is None:  # not an HTML document (a PDF)
            return
        parts = urlsplit(page.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        self.paths.add(path)
        self.checks += 1
        for rule in found:
            for node in rule["nodes"]:
                self.violations.setdefault((path, rule["id"], node["target"]), {**rule, **node})

    def _run(self, page: Page):
        if page.evaluate("() => typeof window.axe") == "undefined":
            page.evaluate(AXE_JS + "\n;true")
            page.evaluate(WATCH_CHANGES)
        return page.evaluate(RUN_AXE, [WCAG_TAGS, ALSO_RULES])

    def check_open_pages(self, contexts) -> None:
        for context in contexts:
            for page in context.pages:
                self.check(page)

    def report(self) -> str | None:
        """None when every checked page state passed; else a message listing each failure."""
        self.finished = True
        if not self.violations:
            return None
        pages = sorted({path for path, _, _ in self.violations})
        lines = [
            f"axe-core {'/'.join(WCAG_TAGS)} + {', '.join(ALSO_RULES)}: {len(self.violations)} failing element(s) on "
            f"{len(pages)} of the {len(self.paths)} page(s) checked ({self.checks} page states):"
        ]
        for path in pages:
            lines.append(f"  page {path}")
            for (p, rule_id, target), v in sorted(self.violations.items()):
                if p == path:
                    lines.append(f"    [{rule_id}, {v['impact']}] {target}")
                    lines.append(f"        {v['help']}. {v['summary']}")
                    lines.append(f"        {v['html']}")
        return "\n".join(lines)

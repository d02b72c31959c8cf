"""Run the browser tests' axe-core check on every page of a running demo site, as each demo user.

    make run                                   # in another shell: the demo city on :8000
    .venv/bin/python scripts/axe_crawl.py      # or: --base http://127.0.0.1:8731 --users clerk1,auditor

From each user's start page it follows the site's own links (GET only; no downloads, print or
admin pages, no logout), one page per path shape (/parties/P000001/ and /parties/P000002/ count
once), up to --limit pages per user, and prints every failing element. Exit status 1 when any.
The browser tests check the pages they visit (tests/e2e/axe.py); this finds the ones they don't.
"""

import argparse
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.axe import ALSO_RULES, AXE_JS, RUN_AXE, WATCH_CHANGES, WCAG_TAGS  # noqa: E402
from tests.e2e.conftest import CHROMIUM_ARGS  # noqa: E402

SKIP = re.compile(r"\.pdf|\.xlsx|\.csv|format=|/logout|/admin/|/print/|/login|download|tel:|mailto:", re.I)
USERS = "clerk1,clerk2,supervisor,auditor,field"


def shape(url: str) -> str:
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path + ("?" + parts.query if parts.query else ""))


def crawl(page, base: str, limit: int, found: dict) -> int:
    seen, queue, checked = set(), [base + "/"], 0
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if shape(url) in seen:
            continue
        seen.add(shape(url))
        try:
            response = page.goto(url)
        except PlaywrightError as exc:  # a link that downloads a file
            print(f"  skipped {url}: {str(exc).splitlines()[0]}", flush=True)
            continue
        if not response or response.status >= 400 or "html" not in response.headers.get("content-type", ""):
            continue
        page.evaluate(AXE_JS + "\n;true")
        page.evaluate(WATCH_CHANGES)
        checked += 1
        for rule in page.evaluate(RUN_AXE, [WCAG_TAGS, ALSO_RULES]) or []:
            for node in rule["nodes"]:
                found.setdefault((shape(url), rule["id"], node["target"]), (rule["help"], node["summary"]))
        for href in page.eval_on_selector_all("a[href]", "links => links.map((a) => a.href.split('#')[0])"):
            if href.startswith(base) and not SKIP.search(href):
                queue.append(href)
    return checked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--users", default=USERS)
    parser.add_argument("--password", default="counter-demo")
    parser.add_argument("--limit", type=int, default=120, help="pages per user")
    args = parser.parse_args()
    found: dict = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        for user in args.users.split(","):
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            page.goto(args.base + "/login/")
            page.fill("#id_username", user)
            page.fill("#id_password", args.password)
            page.press("#id_password", "Enter")
            page.wait_for_load_state()
            print(f"{user}: {crawl(page, args.base, args.limit, found)} pages checked", flush=True)
            context.close()
    for (path, rule, target), (help_text, summary) in sorted(found.items()):
        print(f"{path} [{rule}] {target}\n    {help_text}. {summary}")
    print(f"{len(found)} failing elements")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

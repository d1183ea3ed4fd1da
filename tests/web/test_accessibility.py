"""WCAG 2.1 AA checked in a real browser: axe-core 4.10.2 (Deque, vendored in ``vendor/``) over
every dashboard page and the HTML report, in headless Debian Chromium. No serious or critical
violation is allowed; moderate/minor ones are listed in the failure message of nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = [
    ("home", "/"),
    ("home-en", "/?lang=en"),
    ("areas", "/areas?level=regso"),
    ("area-norrby", "/area/regso/1490R025"),
    ("stadsdel-norrby", "/area/stadsdel/norrby"),
    ("indicators", "/indicators?indicator=lag_ekonomisk_standard&level=regso"),
    ("goals", "/goals"),
    ("police", "/section/police"),
    ("funding", "/section/funding"),
    ("evaluation", "/section/evaluation"),
    ("segregation", "/section/segregation"),
    ("history", "/section/history"),
    ("boards", "/section/boards"),
    ("programme", "/section/programme"),
]

_RUN = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return r.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, n: v.nodes.length,
    where: v.nodes.slice(0, 3).map(n => n.target.join(' '))
  }));
}"""


def _violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    # evaluated through the DevTools protocol, which the pages' CSP (no inline script) does
    # not govern; the page itself never loads a script
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    return list(page.evaluate(_RUN, WCAG_TAGS))


def _serious(found: list[dict]) -> list[str]:
    return [
        f"{v['impact']} {v['id']} ({v['help']}) x{v['n']} at {v['where']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture()
def axe_page(browser):  # type: ignore[no-untyped-def]
    """A page at 1280 px (the width the issue names) with a generous timeout."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(120_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.mark.parametrize(("name", "path"), PAGES)
def test_dashboard_page_has_no_serious_axe_violation(  # type: ignore[no-untyped-def]
    axe_page, base_url: str, name: str, path: str
) -> None:
    resp = axe_page.goto(base_url + path)
    assert resp.status == 200, path
    found = _violations(axe_page)
    assert _serious(found) == [], found


def test_report_html_has_no_serious_axe_violation(  # type: ignore[no-untyped-def]
    axe_page, demo_db: Path, tmp_path: Path
) -> None:
    from grannskap.cli import main

    out = tmp_path / "out"
    assert main(["report", "--db", str(demo_db), "--out", str(out), "--format", "html"]) == 0
    axe_page.goto((out / "report.html").as_uri())
    found = _violations(axe_page)
    assert _serious(found) == [], found

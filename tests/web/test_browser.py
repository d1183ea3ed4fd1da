"""The dashboard and the HTML report in real headless Chromium (Debian's, via Playwright):
no console errors, no request leaves localhost, map -> area navigation, a download, keyboard
basics. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

MAIN_PAGES = [
    ("home", "/"),
    ("areas", "/areas?level=regso"),
    ("indicators", "/indicators?indicator=lag_ekonomisk_standard&level=regso"),
    ("goals", "/goals"),
    ("police", "/section/police"),
    ("funding", "/section/funding"),
    ("evaluation", "/section/evaluation"),
    ("home-en", "/?lang=en"),
]


@pytest.mark.parametrize(("name", "path"), MAIN_PAGES)
def test_page_loads_clean(page, base_url: str, name: str, path: str, shot) -> None:  # type: ignore[no-untyped-def]
    resp = page.goto(base_url + path)
    assert resp.status == 200
    page.wait_for_load_state("networkidle")
    shot(page, f"dashboard-{name}")
    assert page.console_errors == []
    assert page.external == []
    assert page.locator("main h1").count() == 1
    for img in page.locator("svg[role=img], svg[role=group]").all():
        assert (img.get_attribute("aria-label") or "").strip()


def test_map_to_area_page_to_district(page, base_url: str, shot) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/")
    page.locator('svg a[aria-label="Norrby"]').first.click()
    page.wait_for_url("**/area/regso/1490R025**")
    assert "Norrby" in page.locator("main h1").inner_text()
    page.locator('main a[href^="/area/stadsdel/norrby"]').first.click()
    page.wait_for_url("**/area/stadsdel/norrby**")
    body = page.locator("main").inner_text()
    assert "Särskilt utsatt område" in body and "kr" in body
    shot(page, "dashboard-norrby")
    assert page.console_errors == [] and page.external == []


def test_csv_download(page, base_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/section/funding")
    with page.expect_download() as info:
        page.locator('a[href^="/download/reconciliation.csv"]').click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    text = target.read_text(encoding="utf-8-sig")
    assert "30153199" in text.replace(".0", "") or "30153199" in text
    assert page.external == []


def test_keyboard_skip_link_and_filter_form(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/indicators")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Hoppa till innehållet" in focused
    page.select_option("#level", "stadsdel")
    page.locator("form.filters button").press("Enter")
    page.wait_for_url("**level=stadsdel**")
    assert page.locator("label[for=level]").count() == 1
    assert page.console_errors == []


def test_unknown_area_is_a_404_page(page, base_url: str, shot) -> None:  # type: ignore[no-untyped-def]
    resp = page.goto(base_url + "/area/regso/1490R999")
    assert resp.status == 404
    assert "1490R999" in page.locator("main").inner_text()
    shot(page, "dashboard-404")


def test_html_report_opens_offline(browser, tmp_path_factory, demo_db: Path, shot) -> None:  # type: ignore[no-untyped-def]
    from grannskap.report.build import build_report
    from grannskap.store import connect

    out = tmp_path_factory.mktemp("browser-report")
    con = connect(demo_db, read_only=True)
    try:
        build_report(con, out, formats=("html",))
    finally:
        con.close()
    context = browser.new_context(offline=True, viewport={"width": 1100, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    pg.on("console", lambda m: m.type == "error" and errors.append(m.text))
    pg.on("request", lambda r: requests.append(r.url))
    pg.goto((out / "report.html").as_uri())
    assert errors == []
    assert all(u.startswith(("file://", "data:")) for u in requests), requests
    assert pg.locator("figure").count() >= 6
    shot(pg, "report-html")
    context.close()

"""The dashboard's history page reuses the report's history section (issue 13 item 5), on the
full demo database (real SCB RegSO series 2020–2023)."""

from __future__ import annotations


def test_history_page_sv_and_en(app) -> None:  # type: ignore[no-untyped-def]
    r = app.handle("/section/history", "")
    assert r.status == 200, r.body[:500]
    html = r.body.decode()
    assert "2020–2023" in html and "RegSO" in html
    assert "Olikhetsindex D i Borås var" in html
    assert any(w in html for w in ("har ökat", "har minskat", "ingen säker förändring"))
    assert "fasta priser" in html  # the income's price basis is said where it is shown
    assert 'href="/section/history' in html  # in the navigation
    en = app.handle("/section/history", "lang=en").body.decode()
    assert any(w in en for w in ("has increased", "has decreased", "no certain change"))
    assert "constant prices" in en

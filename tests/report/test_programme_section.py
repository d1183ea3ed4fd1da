"""The programme section: all 13 effektmål with texts, linked indicators, status and trend;
interventions 'ej angiven'; the funding section in English."""

from __future__ import annotations

from grannskap.report.build import build_context
from grannskap.report.render import render_report
from grannskap.report.sections import build_sections


def test_effektmal_with_status_and_trend(demo_con) -> None:  # type: ignore[no-untyped-def]
    ctx = build_context(demo_con, "1490", "sv")
    (prog,) = build_sections(ctx, ("programme",))
    tabs = {t.key: t for t in prog.tables}
    em = tabs["effektmal"].frame.set_index("id")
    assert len(em) == 13 and prog.data["n_unknown"] == 0
    assert em.loc["E06", "text"] == "I Borås ska det inte finnas några utsatta områden"
    # Police lists (embedded CSV): Norrby and Hässleholmen on the 2023 and 2025 lists
    assert "2 områden på polisens lista 2025" in em.loc["E06", "status"]
    assert em.loc["E06", "trend"].startswith("2023: 2 → 2025: 2")
    assert "Förgymnasial" in em.loc["E11", "status"] and "2022" in em.loc["E11", "status"]
    assert em.loc["E08", "indicators"] == "inget nyckeltal ännu"
    assert prog.data["n_linked"] == 4
    iv = tabs["interventions"].frame
    assert set(iv["type_label"]) == {"ej angiven"}


def test_english_programme_and_funding_have_no_swedish_findings(demo_con) -> None:  # type: ignore[no-untyped-def]
    ctx = build_context(demo_con, "1490", "en")
    sections = build_sections(ctx, ("programme", "funding"))
    assert all(s.available for s in sections)
    html = render_report(ctx, sections)
    assert "There shall be no vulnerable areas in Borås" in html
    assert "not specified" in html and "no indicator yet" in html
    for swedish in (
        "Beloppen per år",
        "summerar till",
        "Summa per år",
        "återstår",
        "inget nyckeltal",
    ):
        assert swedish not in html, swedish
    assert "The amounts per year add up to 30,153,200" in html

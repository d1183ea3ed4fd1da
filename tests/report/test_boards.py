"""The per-board view: each responsible board's effektmål, indicators and interventions, from
the embedded programme (Socialt hållbart Borås: three målområden, each with its förvaltning;
13 effektmål, 5 + 5 + 3, published by Borås Stad, målbild 2021–2024)."""

from __future__ import annotations

from grannskap.report.build import build_context
from grannskap.report.sections import build_sections


def test_borås_boards_own_their_goals_and_interventions(demo_con) -> None:  # type: ignore[no-untyped-def]
    ctx = build_context(demo_con, "1490", "sv")
    (sec,) = build_sections(ctx, ("boards",))
    assert sec.available, sec.reason
    tabs = {t.key: t for t in sec.tables}
    overview = tabs["boards"].frame.set_index("board")
    assert list(overview["n_goals"]) == [5, 5, 3]
    assert overview["n_goals"].sum() == 13
    assert "Samhällsbyggnadsförvaltningen" in overview.index
    # the board of "Boende och närmiljö" owns "inga utsatta områden", measured by the police list
    goals = next(
        t.frame for k, t in tabs.items()
        if k.endswith("-goals") and "Samhällsbyggnadsförvaltningen" in t.title
    )  # fmt: skip
    row = goals[goals["text"].str.contains("inte finnas några utsatta områden")]
    assert len(row) == 1 and "polisens" in row["indicators"].iloc[0].lower()
    # money per målområde as stated in the source, summed to the board
    assert overview["spent"].notna().all() and overview["spent"].sum() > 0


def test_english_and_other_kommun(demo_con) -> None:  # type: ignore[no-untyped-def]
    (en,) = build_sections(build_context(demo_con, "1490", "en"), ("boards",))
    assert en.available and en.tables[0].title == "Responsible boards"
    (sthlm,) = build_sections(build_context(demo_con, "0180", "sv"), ("boards",))
    assert not sthlm.available and "program" in sthlm.reason
    assert "Borås" not in sthlm.reason

"""A 2030 probability only where the projection has skill (issue 14, item 5).

On the shipped real data the police-list model, fitted on the lists up to 2023, scores a Brier
of 0.74 on 2025 against 0.07 for "no change" (the backtest in grannskap.goals.backtest), and
SCB's official types exist for two years only (no backtest possible). The goals section must
then show no probability for 2030, say in one plain sentence why, and leave the backtest and
the jargon (Markov, Brier, förhandsantagande) to the methods section.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from grannskap.goals.definitions import Goal
from grannskap.goals.skill import mask_unskilled
from grannskap.report.build import build_context
from grannskap.report.render import render_section
from grannskap.report.sections import build_sections
from grannskap.report.sections.goals import backtest_table

JARGON = ("Markov", "Brier", "förhandsantagande", "backtest", "Backtest")


@pytest.fixture(scope="module")
def sections(small_db: Path):
    con = duckdb.connect(str(small_db), read_only=True)
    ctx = build_context(con, "1490", "sv")
    built = {s.name: s for s in build_sections(ctx, ("goals",))}
    html = {n: render_section(ctx, s) for n, s in built.items()}
    yield ctx, built, html
    con.close()


def test_goals_section_shows_no_probability_when_model_is_worse(sections) -> None:
    ctx, built, html = sections
    rd = ctx.cache["goals_report_data"]
    police = rd.backtest[rd.backtest["data"].str.contains("Polisens")].iloc[0]
    assert police["brier_model"] > police["brier_naive"]  # the model is worse than no change
    assert rd.forecast_skill["police"] is False and rd.forecast_skill["types"] is None
    goals = built["goals"]
    assert "goal-probability" not in {f.key for f in goals.figures}
    summary = next(t for t in goals.tables if t.key == "goal-summary")
    assert not any(c.field.startswith("p_met") for c in summary.columns)
    assert "police-projection" not in {t.key for t in goals.tables}
    assert rd.goal_summary["p_met"].isna().all() and not rd.goal_summary["forecast_shown"].any()
    text = re.sub(r"<[^>]+>", " ", html["goals"])
    assert "inget underlag för en prognos för 2030" in text
    assert "sämre än att bara anta att läget består" in text
    assert text.count("inget underlag för en prognos") == 1  # one plain sentence
    assert not re.search(r"\d+,\d\s*%\s*\(", text)  # no "0,4 % (0,0–1,9)"-style probability
    for word in JARGON:
        assert word not in text, word
    # the backtest and the technical notes go to the methods section instead (built from the
    # same cache; the small database lacks the population the rest of that section needs)
    table = backtest_table(ctx)
    assert table is not None and table.key == "goals-backtest"
    assert table.frame["data"].str.contains("Polisens").any()
    assert any("Brier-poäng 0,7" in n and "mot 0,07" in n for n in rd.method_notes)
    assert any("kunde inte prövas" in n for n in rd.method_notes)


def test_probability_shown_only_with_skill() -> None:
    goal = Goal(
        id="g",
        name_sv="Mål",
        name_en="Goal",
        measure="police_category",
        bad_states=("sarskilt_utsatt",),
        kommun="1490",
        deadline=2030,
        max_count=0,
    )
    tx = {
        "forecast_shown": "shown",
        "no_forecast_worse": "worse",
        "no_forecast_untested": "untested",
    }
    row = pd.DataFrame(
        [{"goal_id": "g", "p_met": 0.4, "p_met_low": 0.1, "p_met_high": 0.7}]
    ).assign(p_met_pooled_prior=np.nan, p_met_uniform_prior=np.nan)
    good = mask_unskilled(row, [goal], {"police": True}, tx).iloc[0]
    assert good["forecast_shown"] and good["p_met"] == 0.4 and good["forecast_note"] == "shown"
    bad = mask_unskilled(row, [goal], {"police": False}, tx).iloc[0]
    assert not bad["forecast_shown"] and np.isnan(bad["p_met"]) and bad["p_model"] == 0.4
    assert bad["forecast_note"] == "worse"
    untested = mask_unskilled(row, [goal], {"police": None}, tx).iloc[0]
    assert np.isnan(untested["p_met"]) and untested["forecast_note"] == "untested"

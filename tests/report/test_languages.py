"""Swedish and English, each complete: the report's sections and the dashboard's section
pages in one language hold no sentence of the other (stop words, tests/report/_lang.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from grannskap.report.build import build_context
from grannskap.report.render import render_report
from grannskap.report.sections import build_sections

sys.path.insert(0, str(Path(__file__).parent))
from _lang import foreign_lines  # noqa: E402

MINE = ("summary", "areas", "indicators", "police", "programme", "funding")


def test_stop_word_check_catches_the_other_language() -> None:
    assert foreign_lines("<p>The amounts per year add up to 30 kr.</p>", "sv")
    assert foreign_lines("<p>Beloppen per år summerar till 30 kr och mer.</p>", "en")
    # a quotation marked as Swedish is not an English sentence gone wrong
    assert not foreign_lines(
        '<p>Source: <span lang="sv">Ekonomisk översyn och effekterna</span></p>', "en"
    )


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("kommun", ["1490", "0180"])
def test_report_sections_are_in_one_language(demo_con, lang: str, kommun: str) -> None:  # type: ignore[no-untyped-def]
    ctx = build_context(demo_con, kommun, lang)  # type: ignore[arg-type]
    sections = build_sections(ctx, MINE)
    html = render_report(ctx, sections)
    found = {s.name: foreign_lines(s.html, lang) for s in sections}
    head = html.split("<section", 1)[0]
    found["(title page and contents)"] = foreign_lines(head, lang)
    assert not any(found.values()), {k: v[:5] for k, v in found.items() if v}

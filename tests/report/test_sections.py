"""The section registry: a missing module or a failing section becomes a 'not available' box and
the rest of the report is still written."""

from __future__ import annotations

import sys
import types

import pytest

from grannskap.report.build import build_context
from grannskap.report.render import render_report
from grannskap.report.sections import SectionWarning, build_sections


def test_missing_dependency_gives_not_available_box(
    demo_con, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    fake = types.ModuleType("grannskap.goals")  # a goals package without report_data
    monkeypatch.setitem(sys.modules, "grannskap.goals", fake)
    ctx = build_context(demo_con, "1490", "sv")
    sections = build_sections(ctx, ("goals", "funding"))
    assert not sections[0].available and "grannskap.goals" in sections[0].reason
    assert sections[1].available
    html = render_report(ctx, sections)
    assert "Inte tillgängligt ännu" in html and "Avstämning" in html


def test_failing_section_warns_and_report_continues(
    demo_con, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import grannskap.report.sections.police as police

    def boom(ctx):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(police, "build", boom)
    ctx = build_context(demo_con, "1490", "sv")
    with pytest.warns(SectionWarning, match="police"):
        sections = build_sections(ctx, ("police", "programme"))
    assert not sections[0].available and "ZeroDivisionError" in sections[0].reason
    assert sections[1].available


def test_english_report(demo_con) -> None:  # type: ignore[no-untyped-def]
    ctx = build_context(demo_con, "1490", "en")
    sections = build_sections(ctx, ("indicators", "police"))
    html = render_report(ctx, sections)
    assert "Key indicators" in html and "Figure 1." in html and 'lang="en"' in html


def test_bad_language_and_kommun(demo_con) -> None:  # type: ignore[no-untyped-def]
    from grannskap.errors import ConfigError, DataNotFoundError

    with pytest.raises(ConfigError, match="'de'"):
        build_context(demo_con, "1490", "de")
    with pytest.raises(DataNotFoundError, match="'0000'"):
        build_context(demo_con, "0000", "sv")


def test_other_kommun_report_works(demo_con) -> None:  # type: ignore[no-untyped-def]
    """Any of the 290 kommuner: Umeå (2480) has no programme -> those sections say so."""
    ctx = build_context(demo_con, "2480", "sv")
    sections = {s.name: s for s in build_sections(ctx)}
    assert sections["indicators"].available and sections["areas"].available
    assert not sections["programme"].available and "2480" in sections["programme"].reason
    assert ctx.kommun_genitive == "Umeås"

"""The dashboard's section pages in Swedish and in English hold no sentence of the other
language (stop words, tests/report/_lang.py)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "report"))
from _lang import foreign_lines  # noqa: E402

MINE = ("summary", "areas", "indicators", "police", "programme", "funding")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_dashboard_section_pages_are_in_one_language(app, lang: str) -> None:  # type: ignore[no-untyped-def]
    for name in MINE:
        r = app.handle(f"/section/{name}", f"lang={lang}")
        assert r.status == 200, name
        body = r.body.decode()
        main = body[body.find("<main") : body.find("</main>")]
        lines = foreign_lines(re.sub(r"<nav.*?</nav>", "", main, flags=re.S), lang)
        assert not lines, (name, lines[:5])

"""The dashboard's start page draws the real RegSO map (the demo ships Borås' RegSO 2025
polygons) and every RegSO is a link to its page exactly once."""

from __future__ import annotations

import re


def test_home_map_links_every_regso_once(app) -> None:  # type: ignore[no-untyped-def]
    html = app.handle("/", "").body.decode()
    assert "RegSO 2025" in html  # the boundary vintage is named
    links = re.findall(r'<a href="/area/regso/(1490R\d{3})', html)
    assert len(links) == 47 and len(set(links)) == 47
    # overlays and labels do not swallow clicks meant for the area links
    assert 'fill-rule="evenodd" pointer-events="none"' in html

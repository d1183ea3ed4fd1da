"""Choropleth maps from polygons (report/maps.py) and the areas section's use of them."""

from __future__ import annotations

import math
import re

import pytest
from shapely.geometry import box

from grannskap.report import maps
from grannskap.report.build import build_context
from grannskap.report.sections import build_sections


def test_quantile_breaks_and_classes() -> None:
    vals = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, float("nan")]
    br = maps.quantile_breaks(vals, 5)
    # numpy linear quantiles at 0.2..1.0 of 1..10: 2.8, 4.6, 6.4, 8.2, 10
    assert br == pytest.approx([2.8, 4.6, 6.4, 8.2, 10.0])
    assert [maps.class_of(v, br) for v in (1, 2.8, 2.9, 10)] == [0, 0, 1, 4]
    assert maps.class_of(float("nan"), br) is None
    # equal values collapse classes instead of producing empty ones
    assert maps.quantile_breaks([5.0] * 8) == [5.0]
    labels = maps.break_labels(vals, br, 1, "sv", "%")
    assert labels[0] == "1,0–2,8 %" and labels[-1] == "9,0–10,0 %"


def test_serial_numbers() -> None:
    assert maps.serial("1490R023") == "23"
    assert maps.serial("0180C1010") == "C1010"


def test_choropleth_draws_every_area_and_overlay_without_external_references() -> None:
    areas = [
        maps.MapArea(
            f"9999R{i:03d}",
            f"Område {i}",
            box(i * 1000, 0, i * 1000 + 900, 900),
            "#fff",
            "#000",
            "x",
            str(i),
        )
        for i in range(1, 4)
    ]
    svg = maps.choropleth(
        areas,
        title="T",
        desc="D",
        legend=[("#fff", "a")],
        overlays=[maps.Overlay("Polis", box(1100, 100, 1500, 500))],
        overlay_label="Polisens områden",
    )
    assert svg.count("<path ") == 4
    assert "Område 2 (9999R002): x" in svg and "Polisens områden" in svg
    assert re.findall(r"(?:href|src)=\"(?:https?:)?//", svg) == []
    with pytest.raises(ValueError):
        maps.choropleth([], title="T", desc="D", legend=[])


def test_inset_only_when_the_core_is_small() -> None:
    spread = [box(i * 10, 0, i * 10 + 9, 9) for i in range(8)]
    assert maps.core_extent(spread) is None
    # four big rural areas around eight tiny town areas -> an inset of the town
    town = [box(5000 + i * 10, 5000, 5009 + i * 10, 5009) for i in range(8)]
    rural = [
        box(0, 0, 5000, 5000),
        box(5100, 0, 10000, 5000),
        box(0, 5100, 5000, 10000),
        box(5100, 5100, 10000, 10000),
    ]
    ext = maps.core_extent(rural + town)
    assert ext is not None and ext[0] > 4900 and ext[2] < 5200


def test_demo_areas_section_draws_boras_regso_with_police_areas(demo_con) -> None:  # type: ignore[no-untyped-def]
    ctx = build_context(demo_con, "1490", "sv")
    (areas,) = build_sections(ctx, ("areas",))
    figs = {f.key: f for f in areas.figures}
    assert "type-map" in figs and "tile-map" not in figs
    svg = figs["type-map"].svg
    # 47 RegSO (SCB RegSO 2025 boundaries of Borås) drawn twice (overview + inset), 2 police areas
    assert svg.count("(1490R") == 2 * 47
    assert "Norrby" in svg and "Hässleholmen" in svg
    assert "RegSO 2025" in figs["type-map"].source
    assert "map-lag_ekonomisk_standard" in figs
    tabs = {t.key: t for t in areas.tables}
    assert len(tabs["map-data"].frame) == 47
    assert areas.data["has_geom"] is True
    # no raw codes for stadsdel in Table "regso-types"
    shown = tabs["regso-types"].labelled()
    assert "hulta" not in set(shown["Stadsdel"].dropna()) and "Hulta" in set(
        shown["Stadsdel"].dropna()
    )


def test_other_kommun_without_boundaries_gets_labelled_tile_map(demo_con) -> None:  # type: ignore[no-untyped-def]
    ctx = build_context(demo_con, "1480", "sv")
    (areas,) = build_sections(ctx, ("areas",))
    figs = {f.key: f for f in areas.figures}
    assert "tile-map" in figs and "type-map" not in figs
    assert "saknar gränser" in figs["tile-map"].source
    # Göteborg has no official types in the demo database: computed ones, labelled so
    assert areas.data["official"] is False and "Beräknad" in figs["tile-map"].source
    assert not math.isnan(sum(areas.data["type_counts"].values()))


def test_chart_labels_are_wrapped_never_cut() -> None:
    """Figure 5's label was cut to "nget område av …": labels now wrap onto lines."""
    from grannskap.report import svg

    label = "Inget område av typ 1 (stora socioekonomiska utmaningar) år 2030 i kommunen"
    out = svg.interval_chart(
        [label, "Kort"], [40.0, 10.0], [30.0, 5.0], [50.0, 20.0], title="T", desc="D"
    )
    text = re.sub(r"<[^>]+>", "", out.split("</desc>", 1)[1])
    assert "…" not in out and label in text.replace("  ", " ")
    assert all(len(line) * 0.58 * 12 <= 300 for line in svg.wrap(label, 286))
    bars = svg.bar_chart([label], [("A", [1.0])], title="T", desc="D")
    assert label in re.sub(r"<[^>]+>", "", bars.split("</desc>", 1)[1])
    tiles = svg.tile_map(
        [svg.Tile("1490R036", "Kristineberg öst-Hedvigsborg", 3, "3")],
        title="T",
        desc="D",
        legend={3: "x"},
    )
    assert "Kristineberg öst-Hedvigsborg" in re.sub(r"<[^>]+>", "", tiles.split("</desc>", 1)[1])


def test_change_map_from_the_regso_series(demo_con) -> None:  # type: ignore[no-untyped-def]
    """Foreign-born share per RegSO, first to last year of the embedded RegSO series
    (SCB 2020–2023); every RegSO with both years gets a class, the data table holds the change."""
    ctx = build_context(demo_con, "1490", "sv")
    (areas,) = build_sections(ctx, ("areas",))
    figs = {f.key: f for f in areas.figures}
    fig = figs["map-change"]
    assert "2020–2023" in fig.title and "procentenheter" in fig.svg
    data = {t.key: t for t in areas.tables}["map-data"].frame
    assert data["change"].notna().sum() >= 40
    # colours come from the diverging scale only (or grey for suppressed)
    from grannskap.report.sections._change_map import CHANGE_COLOURS

    fills = set(re.findall(r'<path d="[^"]+" fill="(#[0-9a-f]{6})" stroke="#444"', fig.svg))
    assert fills <= {*CHANGE_COLOURS, maps.MISSING_FILL} and len(fills) >= 3

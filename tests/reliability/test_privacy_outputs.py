"""Small-count suppression in EVERY output: report.html, report.xlsx, areas.gpkg, the dashboard's
pages and its CSV/XLSX downloads.

Data: the real demo database (SCB DeSO tables for Borås 2022, embedded in grannskap.data; see
/work/shared/data/README.md for provenance). The SCB-style rule (grannskap.privacy): a share is
shown only when its numerator AND denominator are at least ``threshold`` persons; a person
count (population) only when it is at least ``threshold``. With the default threshold 5 almost
no Borås cell is small, so the outputs are built with a raised threshold (``T`` below) that
makes many DeSO cells and some RegSO cells small: the test first checks that the ground truth
does contain small cells (so it can fail), then that no output shows a number for any of them.

Ground truth is computed here independently of the report code: numerators and denominators
per DeSO from ``report.data.deso_counts`` (the database rows), summed to RegSO and stadsdel.
"""

from __future__ import annotations

import csv
import io
import math
import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

T = 40  # raised threshold: many DeSO cells and some RegSO cells in Borås are below it
KOMMUN = "1490"
DESO_RE = re.compile(r"^(?:DeSO )?(\d{4}[ABC]\d{4})$")
REGSO_RE = re.compile(r"^\d{4}R\d{3}$")


# ---- ground truth ----------------------------------------------------------------------------
def ground_truth(con: Any, year: int, t: int = T) -> dict[str, Any]:
    from grannskap.report.data import KEY_INDICATORS, deso_counts

    c = deso_counts(con, year)
    c = c[c["kommun"] == KOMMUN]
    cw = con.execute(
        "SELECT c.from_code AS regso, a.name AS stadsdel FROM crosswalk c JOIN area a "
        "ON a.system = 'stadsdel' AND a.code = c.to_code WHERE c.from_system = 'regso2020' "
        "AND c.to_system = 'stadsdel' AND c.from_code LIKE ?",
        [KOMMUN + "%"],
    ).df()
    c = c.merge(cw, on="regso", how="left")
    small: dict[tuple[str, str], set[str]] = {}
    complement: dict[tuple[str, str], set[str]] = {}
    population: dict[tuple[str, str], float] = {}
    for level, col in (("deso", "deso"), ("regso", "regso"), ("stadsdel", "stadsdel")):
        g = c.dropna(subset=[col]).groupby([col, "indicator"])[["num", "den"]].sum(min_count=1)
        for (area, ind), row in g.iterrows():
            if not (row["num"] >= t and row["den"] >= t):  # NaN counts as not showable
                small.setdefault((level, str(area)), set()).add(str(ind))
            elif row["den"] - row["num"] < t:  # shown, but the complement is a small count
                complement.setdefault((level, str(area)), set()).add(str(ind))
            if ind == "utlandsk_bakgrund":
                population[(level, str(area))] = float(row["den"])
    names = {
        "regso": dict(
            con.execute(
                "SELECT name, code FROM area WHERE system = 'regso2020' AND kommun_code = ?",
                [KOMMUN],
            ).fetchall()
        ),
    }
    labels: dict[str, str] = {}
    for k in KEY_INDICATORS:
        for lang in ("sv", "en"):
            labels[k.name(lang)] = k.key
        labels[f"{k.key}_pct"] = k.key
        labels[k.key] = k.key
    return {
        "small": small,
        "complement": complement,
        "population": population,
        "regso_by_name": names["regso"],
        "stadsdel_names": set(cw["stadsdel"].dropna()),
        "indicator_by_label": labels,
        "n_small_cells": {
            lv: sum(len(v) for (lv2, _), v in small.items() if lv2 == lv)
            for lv in ("deso", "regso", "stadsdel")
        },
        "n_small_population": sum(1 for p in population.values() if not p >= t),
        "t": t,
    }


# ---- reading outputs --------------------------------------------------------------------------
def number(cell: Any) -> float | None:
    """The number a cell shows, or None when it shows none ('..', empty, text)."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return None if math.isnan(float(cell)) else float(cell)
    s = re.sub(r"[\s\u00a0\u202f%]|kr$", "", str(cell)).replace("−", "-").replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


class _Tables(HTMLParser):
    """All <table>s of an HTML page as lists of rows of cell texts (header row first)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "table":
            self.tables.append([])
            self._depth += 1
        elif tag == "tr" and self._depth:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._depth -= 1
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[list[list[str]]]:
    p = _Tables()
    p.feed(html)
    return [t for t in p.tables if len(t) >= 2]


def xlsx_tables(data: bytes) -> list[list[list[Any]]]:
    """Each sheet's rows from the first header-looking row (>= 2 non-empty cells) on."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    out = []
    for ws in book.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        start = next((i for i, r in enumerate(rows) if sum(v is not None for v in r) >= 2), None)
        if start is not None:
            out.append(rows[start:])
    return out


def csv_table(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    return list(csv.reader(lines, delimiter=";"))  # the dashboard's CSV: semicolons, decimal comma


# ---- the check --------------------------------------------------------------------------------
POP_HEADERS = {"folkmängd", "population"}


def _area_of(row: list[Any], header: list[str], truth: dict[str, Any]) -> tuple[str, str] | None:
    for cell in row:
        s = "" if cell is None else str(cell).strip()
        m = DESO_RE.match(s)
        if m:
            return ("deso", m.group(1))
        if REGSO_RE.match(s):
            return ("regso", s)
    first = "" if not header else str(header[0]).strip().lower()
    name = "" if not row or row[0] is None else str(row[0]).strip()
    if first in ("stadsdel", "district") and name in truth["stadsdel_names"]:
        return ("stadsdel", name)
    if first == "regso" and name in truth["regso_by_name"]:
        return ("regso", truth["regso_by_name"][name])
    return None


def check_table(
    rows: list[list[Any]], truth: dict[str, Any], where: str, leaks: list[str], seen: list[int]
) -> None:
    """Rows are per area (one area per row, indicators/population as columns)."""
    header = ["" if h is None else str(h).strip() for h in rows[0]]
    ind_cols = {
        j: truth["indicator_by_label"][h]
        for j, h in enumerate(header)
        if h in truth["indicator_by_label"]
    }
    pop_cols = [j for j, h in enumerate(header) if h.lower() in POP_HEADERS]
    if not ind_cols and not pop_cols:
        return
    for row in rows[1:]:
        area = _area_of(row, header, truth)
        if area is None:
            continue
        small = truth["small"].get(area, set())
        for j, ind in ind_cols.items():
            if j < len(row):
                seen[0] += 1
                v = number(row[j])
                if ind in small and v is not None:
                    leaks.append(
                        f"{where}: {area} {ind} shows {row[j]!r} (a count is < {truth['t']})"
                    )
        for j in pop_cols:
            if j < len(row):
                seen[0] += 1
                v = number(row[j])
                if v is not None and v < truth["t"]:
                    leaks.append(f"{where}: {area} population shows {row[j]!r} (< {truth['t']})")


def check_area_page(
    html: str,
    area: tuple[str, str],
    truth: dict[str, Any],
    where: str,
    leaks: list[str],
    seen: list[int],
) -> None:
    """Area pages: the comparison table has one row per indicator, the area in column 2."""
    for table in html_tables(html):
        for row in table[1:]:
            ind = truth["indicator_by_label"].get(row[0]) if row else None
            if ind is None or len(row) < 2:
                continue
            seen[0] += 1
            if ind in truth["small"].get(area, set()) and number(row[1]) is not None:
                leaks.append(f"{where}: {area} {ind} shows {row[1]!r} (a count is < {truth['t']})")
    m = re.search(r"<dt>(?:Folkmängd|Population)[^<]*</dt>\s*<dd>([^<]*)</dd>", html)
    seen[0] += m is not None
    shown = number(m.group(1)) if m else None
    if shown is not None and shown < truth["t"]:
        leaks.append(f"{where}: {area} population shows {m.group(1)!r} (< {truth['t']})")  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def outputs(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from grannskap.report.build import build_context, build_report
    from grannskap.store import connect

    out = tmp_path_factory.mktemp("privacy")
    con = connect(demo_db, read_only=True)
    try:
        year = build_context(con, KOMMUN, "sv", T).year
        truth = ground_truth(con, year)
        build_report(con, out, formats=("html", "xlsx", "gpkg"), threshold=T)
    finally:
        con.close()
    return {"dir": out, "truth": truth}


@pytest.fixture(scope="module")
def dash(demo_db: Path):  # type: ignore[no-untyped-def]
    from grannskap.web.server import make_app

    return make_app(demo_db, kommun=KOMMUN, threshold=T, warm=False, cache_responses=False)


def test_ground_truth_has_small_cells(outputs: dict[str, Any]) -> None:
    """Without small cells the leak checks below could not fail."""
    n = outputs["truth"]["n_small_cells"]
    print(f"small cells at T={T}: {n}, small populations: {outputs['truth']['n_small_population']}")
    assert n["deso"] > 0 and n["regso"] > 0


def test_report_files_show_no_suppressed_value(outputs: dict[str, Any]) -> None:
    truth, d = outputs["truth"], outputs["dir"]
    leaks: list[str] = []
    seen = [0]
    html = (d / "report.html").read_text(encoding="utf-8")
    for i, t in enumerate(html_tables(html)):
        check_table(t, truth, f"report.html table {i + 1}", leaks, seen)
    for i, t in enumerate(xlsx_tables((d / "report.xlsx").read_bytes())):
        check_table(t, truth, f"report.xlsx sheet {i + 1}", leaks, seen)
    g = sqlite3.connect(d / "areas.gpkg")
    try:
        for (name,) in g.execute("SELECT table_name FROM gpkg_contents").fetchall():
            cur = g.execute(f'SELECT * FROM "{name}"')  # names from the file's own catalogue
            rows = [[c[0] for c in cur.description], *[list(r) for r in cur.fetchall()]]
            check_table(rows, truth, f"areas.gpkg {name}", leaks, seen)
    finally:
        g.close()
    print(f"report files: {seen[0]} area cells checked, {len(leaks)} leaks")
    assert seen[0] > 500, f"only {seen[0]} area cells found: the table layout changed"
    assert not leaks, "\n".join(leaks[:30])


@pytest.mark.parametrize("all_areas", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_dashboard_pages_and_downloads_show_no_suppressed_value(dash, outputs, all_areas) -> None:  # type: ignore[no-untyped-def]
    """Default run: every download and list page, and 25 of the area pages with small cells;
    ``-m slow``: every area page with a small cell."""
    truth = outputs["truth"]
    from grannskap.report.data import KEY_INDICATORS

    d = dash.cache.get(KOMMUN, "sv")
    leaks: list[str] = []
    seen = [0]
    for key in sorted(d.tables):
        for fmt in ("csv", "xlsx"):
            r = dash.handle(f"/download/{key}.{fmt}", "")
            assert r.status == 200, (key, fmt, r.status)
            tables = [csv_table(r.body)] if fmt == "csv" else xlsx_tables(r.body)
            for t in tables:
                if t:
                    check_table(t, truth, f"/download/{key}.{fmt}", leaks, seen)
    pages = [("/areas", f"level={lv}") for lv in ("regso", "deso", "stadsdel")]
    pages += [("/section/" + s, "") for s in ("areas", "indicators", "summary", "segregation")]
    pages += [
        ("/indicators", f"indicator={k.key}&level={lv}")
        for k in KEY_INDICATORS
        if k.key in d.regso.columns
        for lv in ("regso", "deso", "stadsdel")
    ]
    for path, query in pages:
        r = dash.handle(path, query)
        assert r.status == 200, (path, query, r.status)
        for i, t in enumerate(html_tables(r.body.decode())):
            check_table(t, truth, f"{path}?{query} table {i + 1}", leaks, seen)
    small_areas = sorted(a for a in truth["small"] if a[0] in ("deso", "regso"))
    if not all_areas:
        small_areas = small_areas[:: max(1, len(small_areas) // 25)]
    for level, code in small_areas:
        r = dash.handle(f"/area/{level}/{code}", "")
        assert r.status == 200, (level, code, r.status)
        check_area_page(r.body.decode(), (level, code), truth, f"/area/{level}/{code}", leaks, seen)
    print(
        f"dashboard: {len(pages)} pages, {2 * len(d.tables)} downloads, {len(small_areas)} area "
        f"pages; {seen[0]} area cells checked, {len(leaks)} leaks"
    )
    assert seen[0] > 1000
    assert not leaks, "\n".join(leaks[:30])


def test_no_shown_share_discloses_a_small_complement(outputs: dict[str, Any]) -> None:
    """SCB-style primary suppression also protects the complement (den - num) of a share."""
    truth = outputs["truth"]
    g = sqlite3.connect(outputs["dir"] / "areas.gpkg")
    try:
        cur = g.execute('SELECT * FROM "deso"')
        cols = [c[0] for c in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        g.close()
    leaks = [
        (r["deso"], ind)
        for r in rows
        for ind in truth["complement"].get(("deso", r["deso"]), set())
        if r.get(f"{ind}_pct") is not None
    ]
    print(f"shares shown whose complement is < {T} persons (DeSO, areas.gpkg): {leaks[:10]}")
    assert not leaks


def test_small_populations_are_suppressed(demo_db: Path) -> None:
    """Populations: no Borås DeSO has fewer than 40 inhabitants, so the threshold is raised to the
    median DeSO population; half the DeSO populations must then disappear from the dashboard's
    downloads and area pages (shares with those denominators too)."""
    import statistics

    from grannskap.report.build import build_context
    from grannskap.store import connect
    from grannskap.web.server import make_app

    con = connect(demo_db, read_only=True)
    try:
        year = build_context(con, KOMMUN, "sv", T).year
        pops = ground_truth(con, year)["population"]
        tp = int(statistics.median(v for (lv, _), v in pops.items() if lv == "deso"))
        truth = ground_truth(con, year, tp)
    finally:
        con.close()
    assert truth["n_small_population"] > 10
    app = make_app(demo_db, kommun=KOMMUN, threshold=tp, warm=False, cache_responses=False)
    leaks: list[str] = []
    seen = [0]
    for key in ("deso-indicators", "regso-indicators", "regso-types", "stadsdelar"):
        r = app.handle(f"/download/{key}.csv", "")
        if r.status == 200:
            check_table(csv_table(r.body), truth, f"/download/{key}.csv", leaks, seen)
    small = sorted(a for a, p in truth["population"].items() if a[0] == "deso" and not p >= tp)
    for level, code in small[:: max(1, len(small) // 10)]:
        r = app.handle(f"/area/{level}/{code}", "")
        assert r.status == 200
        check_area_page(r.body.decode(), (level, code), truth, f"/area/{level}/{code}", leaks, seen)
    print(
        f"population check at threshold {tp}: {truth['n_small_population']} small populations, "
        f"{seen[0]} cells checked, {len(leaks)} leaks"
    )
    assert seen[0] > 300
    assert not leaks, "\n".join(leaks[:30])


# ---- secondary suppression: nothing recoverable by subtraction ----------------------------------
# A parent total (RegSO, stadsdel, kommun) is the sum of its children (DeSO, RegSO, stadsdelar),
# in numerator and denominator alike (report.data: shares are sum(num)/sum(den) over DeSO). If a
# published parent has exactly ONE hidden child, that child is parent minus the shown children
# (for populations literally; for shares through num = share x den, e.g. foreign background x
# population). Handbook on SDC (Hundepool et al. 2010, ch. 4-5): every such relation needs 0 or
# >= 2 hidden cells. The check reads the WRITTEN outputs (report.xlsx, areas.gpkg, the
# dashboard's CSV downloads) and merges them: a cell counts as shown if ANY output shows it.


def _relations(con: Any, year: int) -> dict[str, Any]:
    from grannskap.report.data import deso_counts, stadsdel_crosswalk

    c = deso_counts(con, year)
    c = c[c["kommun"] == KOMMUN]
    cw = stadsdel_crosswalk(con, KOMMUN)
    deso_regso = c[["deso", "regso"]].drop_duplicates()
    regso_st = dict(zip(cw["regso"], cw["stadsdel_name"], strict=True))
    rel: list[tuple[tuple[str, str], list[tuple[str, str]]]] = []
    for r, g in deso_regso.groupby("regso"):
        rel.append((("regso", str(r)), [("deso", str(d)) for d in g["deso"]]))
    regsos = sorted(deso_regso["regso"].unique())
    for s in sorted(set(regso_st.values())):
        rel.append((("stadsdel", s), [("regso", r) for r in regsos if regso_st.get(r) == s]))
    rel.append((("kommun", KOMMUN), [("regso", r) for r in regsos]))
    rel.append(
        (
            ("kommun", KOMMUN),
            [("stadsdel", s) for s in sorted(set(regso_st.values()))]
            + [("regso", r) for r in regsos if r not in regso_st],
        )
    )
    return {"relations": rel, "n_unmapped_regso": sum(r not in regso_st for r in regsos)}


def _collect(rows: list[list[Any]], truth: dict[str, Any], shown: dict[Any, bool]) -> None:
    header = ["" if h is None else str(h).strip() for h in rows[0]]
    cols = {
        j: truth["indicator_by_label"][h]
        for j, h in enumerate(header)
        if h in truth["indicator_by_label"]
    }
    cols.update({j: "population" for j, h in enumerate(header) if h.lower() in POP_HEADERS})
    for row in rows[1:]:
        area = _area_of(row, header, truth)
        if area is None:
            continue
        for j, col in cols.items():
            if j < len(row):
                key = (area, col)
                shown[key] = shown.get(key, False) or number(row[j]) is not None


def _kommun_row(rows: list[list[Any]], truth: dict[str, Any], shown: dict[Any, bool]) -> None:
    """The key-indicator table: one row per indicator, the kommun's value in column 3."""
    for row in rows[1:]:
        ind = truth["indicator_by_label"].get(str(row[0]).strip()) if row else None
        if ind is not None and len(row) > 2:
            key = (("kommun", KOMMUN), ind)
            shown[key] = shown.get(key, False) or number(row[2]) is not None


def _single_hidden(
    relations: list[Any], shown: dict[Any, bool], columns: set[str]
) -> tuple[list[str], int]:
    leaks, checked = [], 0
    for parent, children in relations:
        for col in columns:
            if not shown.get((parent, col)):
                continue
            states = [shown.get((ch, col)) for ch in children]
            if any(s is None for s in states):
                continue  # a child not published at all in any output
            checked += 1
            hidden = [ch for ch, s in zip(children, states, strict=True) if not s]
            if len(hidden) == 1:
                leaks.append(f"{parent} {col}: only {hidden[0]} hidden -> parent minus the rest")
    return leaks, checked


@pytest.fixture(scope="module")
def published(outputs: dict[str, Any], dash: Any, demo_db: Path) -> dict[str, Any]:
    """Every area cell of the written outputs: shown (a number in ANY output) or hidden."""
    from grannskap.store import connect

    truth, d = outputs["truth"], outputs["dir"]
    con = connect(demo_db, read_only=True)
    try:
        rel = _relations(con, dash.cache.get(KOMMUN, "sv").ctx.year)
    finally:
        con.close()
    shown: dict[Any, bool] = {}
    for t in xlsx_tables((d / "report.xlsx").read_bytes()):
        _collect(t, truth, shown)
        if t and len(t[0]) > 2 and [str(h).strip() for h in t[0][:2]] == ["Nyckeltal", "Avser"]:
            _kommun_row(t, truth, shown)
    g = sqlite3.connect(d / "areas.gpkg")
    try:
        for layer in ("regso", "deso"):
            cur = g.execute(f'SELECT * FROM "{layer}"')
            _collect([[c[0] for c in cur.description], *map(list, cur.fetchall())], truth, shown)
    finally:
        g.close()
    for key in ("deso-indicators", "regso-indicators", "stadsdelar", "regso-types"):
        r = dash.handle(f"/download/{key}.csv", "")
        assert r.status == 200, key
        _collect(csv_table(r.body), truth, shown)
    r = dash.handle("/download/key-indicators.csv", "")
    _kommun_row(csv_table(r.body), truth, shown)
    return {"shown": shown, "rel": rel}


def test_no_hidden_value_is_recoverable_from_a_published_total(
    outputs: dict[str, Any], published: dict[str, Any]
) -> None:
    truth, shown, rel = outputs["truth"], published["shown"], published["rel"]
    columns = {col for (_, col) in shown}
    levels = {lv for ((lv, _), _) in shown}
    assert {"deso", "regso", "stadsdel", "kommun"} <= levels, levels
    assert "population" in columns and len(columns) >= 6
    leaks, checked = _single_hidden(rel["relations"], shown, columns)
    # the same relations under primary suppression only (the pattern before secondary
    # suppression): the check must be able to fail on this data
    primary_only = {
        (area, col): not (
            col in truth["small"].get(area, set()) or col in truth["complement"].get(area, set())
        )
        if col != "population"
        else truth["population"].get(area, 0) >= truth["t"]
        for (area, col) in shown
    }
    would_leak, _ = _single_hidden(rel["relations"], primary_only, columns)
    n_hidden = sum(not v for v in shown.values())
    print(
        f"secondary suppression at T={T}: {checked} published totals checked, {n_hidden} hidden "
        f"cells; primary suppression alone would leave {len(would_leak)} recoverable "
        f"(e.g. {would_leak[:2]}); now {len(leaks)}"
    )
    assert len(would_leak) > 0
    assert checked > 200
    assert not leaks, "\n".join(leaks[:30])


def test_no_hidden_population_is_recoverable(demo_db: Path) -> None:
    """Populations are published counts: at the median DeSO population as threshold (as in
    test_small_populations_are_suppressed) half the DeSO populations are hidden; a RegSO
    population minus its shown DeSO must never give a hidden one, in the dashboard's
    downloads."""
    import statistics

    from grannskap.report.build import build_context
    from grannskap.store import connect
    from grannskap.web.server import make_app

    con = connect(demo_db, read_only=True)
    try:
        year = build_context(con, KOMMUN, "sv", T).year
        pops = ground_truth(con, year)["population"]
        tp = int(statistics.median(v for (lv, _), v in pops.items() if lv == "deso"))
        truth = ground_truth(con, year, tp)
        rel = _relations(con, year)
    finally:
        con.close()
    app = make_app(demo_db, kommun=KOMMUN, threshold=tp, warm=False, cache_responses=False)
    shown: dict[Any, bool] = {}
    for key in ("deso-indicators", "regso-indicators", "regso-types"):
        r = app.handle(f"/download/{key}.csv", "")
        assert r.status == 200, key
        _collect(csv_table(r.body), truth, shown)
    primary_only = {
        k: truth["population"].get(k[0], 0) >= tp for k in shown if k[1] == "population"
    }
    would_leak, _ = _single_hidden(rel["relations"], primary_only, {"population"})
    leaks, checked = _single_hidden(rel["relations"], shown, {"population"})
    print(
        f"populations at threshold {tp}: {checked} published totals checked; primary alone "
        f"would leave {len(would_leak)} recoverable; now {len(leaks)}"
    )
    assert would_leak and checked > 20
    assert not leaks, "\n".join(leaks[:30])


def test_report_states_primary_and_secondary_counts(
    outputs: dict[str, Any], published: dict[str, Any]
) -> None:
    """The methods section says, in Swedish, that primary and secondary suppression are applied
    at threshold T and how many cells each hid. The primary count is checked against the ground
    truth computed here (cells whose numerator, denominator or complement is < T, over DeSO,
    RegSO and stadsdel; Borås' own total and its populations are all >= T), and primary +
    secondary against the hidden cells actually found in the written outputs (every hidden
    cell at T is one the outputs publish)."""
    truth = outputs["truth"]
    html = (outputs["dir"] / "report.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "primär undertryckning" in text and "sekundär undertryckning" in text
    assert f"tillsammans vara minst {T} personer" in text
    m = re.search(
        r"Av (\d+) celler i utdata .*? döljs (\d+) genom primär och (\d+) genom sekundär", text
    )
    assert m, "the suppression counts are missing from the methods section"
    cells, primary, secondary = (int(g) for g in m.groups())
    expected_primary = sum(
        len(truth["small"].get(a, set()) | truth["complement"].get(a, set()))
        for a in {*truth["small"], *truth["complement"]}
    )
    assert truth["n_small_population"] == 0
    print(
        f"report: {cells} cells, {primary} primary, {secondary} secondary; truth {expected_primary}"
    )
    assert primary == expected_primary
    hidden_in_outputs = sum(not v for v in published["shown"].values())
    assert primary + secondary == hidden_in_outputs
    assert secondary > 0 and cells > primary + secondary

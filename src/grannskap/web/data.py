"""What the dashboard shows, computed once per (kommun, language) from the read-only database.

The section results are the report's own (:mod:`grannskap.report.sections`), so the dashboard
and the report show the same charts and texts. Area pages are assembled from frames computed
here; no request runs heavy queries.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from grannskap.errors import DataNotFoundError
from grannskap.report.context import Column, ReportContext, SectionResult, Table
from grannskap.report.data import (
    KEY_INDICATORS,
    OMRADESTYP_LABELS,
    area_population,
    area_shares,
    stadsdel_crosswalk,
)

if TYPE_CHECKING:
    import duckdb

__all__ = ["Dashboard", "DashboardCache", "build_dashboard", "AREA_SYSTEMS", "slug"]

AREA_SYSTEMS = {
    "regso": "regso2020",
    "deso": "deso2018",
    "stadsdel": "stadsdel",
    "police": "police",
}


def slug(text: str) -> str:
    t = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    return "".join(c if c.isalnum() else "-" for c in t).strip("-")


@dataclass
class Dashboard:
    ctx: ReportContext
    sections: dict[str, SectionResult]
    regso: pd.DataFrame  # one row per RegSO (report.data.regso_table)
    deso: pd.DataFrame  # deso, regso, key shares (percent), population
    stadsdel: pd.DataFrame  # code, name, key shares, population
    stadsdel_members: dict[str, list[str]]  # stadsdel code -> RegSO codes
    police: pd.DataFrame  # area_code, name, year, category
    police_stadsdel: dict[str, str]  # police code -> stadsdel code (matched by name)
    interventions: pd.DataFrame
    intervention_areas: pd.DataFrame
    funding_categories: pd.DataFrame
    kommun_shares: dict[str, float]
    riket_shares: dict[str, float]
    goals_types: pd.DataFrame | None
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)
    # plain-Python lookups prepared once, so that requests do no pandas work
    regso_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    deso_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    stadsdel_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    deso_by_regso: dict[str, list[str]] = field(default_factory=dict)
    intervention_records: list[dict[str, Any]] = field(default_factory=list)
    interventions_by_stadsdel: dict[str, set[str]] = field(default_factory=dict)
    funding_records: list[dict[str, Any]] = field(default_factory=list)
    police_records: list[dict[str, Any]] = field(default_factory=list)
    malomraden: list[tuple[str, str, str]] = field(default_factory=list)
    goals_by_area: dict[str, dict[str, Any]] = field(default_factory=dict)

    def prepare(self) -> None:
        self.regso_rows = {r["regso"]: r for r in records(self.regso)}
        self.deso_rows = {r["deso"]: r for r in records(self.deso)}
        self.stadsdel_rows = {r["code"]: r for r in records(self.stadsdel)}
        for r in self.deso_rows.values():
            self.deso_by_regso.setdefault(r["regso"], []).append(r["deso"])
        self.intervention_records = records(self.interventions)
        ia = self.intervention_areas[self.intervention_areas["area_system"] == "stadsdel"]
        for code, g in ia.groupby("area_code"):
            self.interventions_by_stadsdel[str(code)] = set(g["intervention_id"])
        self.funding_records = records(self.funding_categories)
        self.police_records = records(self.police.sort_values(["area_code", "year"]))

    def area_name(self, level: str, code: str) -> str:
        return self.names.get((level, code), code)

    def has_area(self, level: str, code: str) -> bool:
        return (level, code) in self.names


def _area_tables(d: Dashboard) -> None:
    """Download tables that are not in the report: DeSO shares and stadsdel shares."""
    ctx = d.ctx
    keys = [k for k in KEY_INDICATORS if k.key in d.deso.columns]
    cols = [
        Column("deso", "DeSO"),
        Column("regso", "RegSO"),
        Column("population", ctx.t("Folkmängd", "Population"), "int"),
    ]
    cols += [Column(k.key, k.name(ctx.lang), "pct1") for k in keys]
    d.tables["deso-indicators"] = Table(
        "deso-indicators",
        ctx.t(
            f"Nyckeltal per DeSO {ctx.year} (procent)",
            f"Key indicators per DeSO {ctx.year} (percent)",
        ),
        d.deso,
        cols,
        ctx.t(
            f"SCB DeSO-tabeller {ctx.year}; egen bearbetning.",
            f"SCB DeSO tables {ctx.year}; own calculations.",
        ),
        ctx.t(
            f"Färre än {ctx.threshold} personer visas som ”..”; för att en dold DeSO inte ska "
            "kunna räknas fram ur RegSO-summan döljs också ytterligare celler (sekundär "
            "undertryckning).",
            f"Fewer than {ctx.threshold} persons shown as “..”; so that a hidden DeSO cannot be "
            "worked out from the RegSO total, further cells are hidden too (secondary "
            "suppression).",
        ),
    )


def build_dashboard(
    con: duckdb.DuckDBPyConnection, kommun: str, lang: str, threshold: int | None = None
) -> Dashboard:
    from grannskap.report.build import build_context
    from grannskap.report.render import render_section
    from grannskap.report.sections import _common, build_sections

    ctx = build_context(con, kommun, lang, threshold)
    results = build_sections(ctx)
    for s in results:
        s.html = render_section(ctx, s)
    sections = {s.name: s for s in results}
    counts = _common.counts(ctx)
    own = counts[counts["kommun"] == ctx.kommun]
    rg = _common.regso(ctx)
    # one suppression pattern (primary + secondary) for every level the dashboard shows
    xw = stadsdel_crosswalk(con, ctx.kommun)
    shares = ctx.cached("area_shares", lambda: area_shares(counts, ctx.kommun, xw, ctx.threshold))
    pops = area_population(counts, ctx.kommun, xw, ctx.threshold)
    ds = shares[shares["level"] == "deso"].pivot(
        index="code", columns="indicator", values="percent"
    )
    ds.index.name = "deso"
    parent = own[["deso", "regso"]].drop_duplicates().set_index("deso")["regso"]
    pop = pops[pops["level"] == "deso"].set_index("code")["population"]
    deso = ds.reset_index()
    deso.insert(1, "regso", deso["deso"].map(parent))
    deso.insert(2, "population", deso["deso"].map(pop))
    cw = con.execute(
        "SELECT c.from_code AS regso, c.to_code AS code, a.name FROM crosswalk c JOIN area a ON a.system = 'stadsdel' "
        "AND a.code = c.to_code WHERE c.from_system = 'regso2020' AND c.to_system = 'stadsdel' AND c.from_code LIKE ?",
        [ctx.kommun + "%"],
    ).df()
    members = {code: sorted(g["regso"]) for code, g in cw.groupby("code")}
    if not cw.empty:
        st = (
            shares[shares["level"] == "stadsdel"]
            .pivot(index="code", columns="indicator", values="percent")
            .reset_index()
        )
        st.columns.name = None
        st["name"] = st["code"].map(dict(zip(cw["code"], cw["name"], strict=False)))
        st["population"] = st["code"].map(
            pops[pops["level"] == "stadsdel"].set_index("code")["population"]
        )
    else:
        st = pd.DataFrame(columns=["code", "name", "population"])
    kt = _common.key_table(ctx).set_index("indicator")
    police = _common.police_rows(ctx)
    pnames = (
        police.sort_values("year")
        .groupby("area_code")
        .tail(1)
        .set_index("area_code")["name"]
        .to_dict()
    )
    pst = {}
    for pcode, pname in pnames.items():
        for scode, sname in zip(st["code"], st["name"], strict=False):
            if slug(str(pname)).startswith(slug(str(sname))):
                pst[pcode] = scode
    iv = con.execute("SELECT * FROM intervention ORDER BY intervention_id").df()
    ia = con.execute("SELECT * FROM intervention_area").df()
    fc = con.execute(
        "SELECT category, malomrade_id, amount_sek, source_note FROM funding WHERE kind = 'spent' AND dimension = 'category' "
        "AND programme_id IN (SELECT programme_id FROM programme WHERE kommun_code = ?)",
        [ctx.kommun],
    ).df()
    goals_types = None
    names: dict[tuple[str, str], str] = {}
    for r in rg.itertuples():
        names[("regso", r.regso)] = str(r.name)
    for code in deso["deso"]:
        names[("deso", code)] = f"DeSO {code}"
    for code, name in zip(st["code"], st["name"], strict=False):
        names[("stadsdel", code)] = str(name)
    for code, name in pnames.items():
        names[("police", code)] = str(name)
    d = Dashboard(
        ctx,
        sections,
        rg,
        deso,
        st,
        members,
        police,
        pst,
        iv,
        ia,
        fc,
        kt["kommun"].to_dict(),
        kt["riket"].to_dict(),
        goals_types,
        names,
    )
    for s in results:
        for t in s.tables:
            d.tables[t.key] = t
    _area_tables(d)
    d.malomraden = [
        (str(a), str(b), str(c or ""))
        for a, b, c in con.execute(
            "SELECT m.malomrade_id, m.name_sv, m.name_en FROM malomrade m JOIN programme p USING (programme_id) "
            "WHERE p.kommun_code = ? ORDER BY m.ordinal",
            [ctx.kommun],
        ).fetchall()
    ]
    rd = ctx.cache.get("goals_report_data")
    if rd is not None:
        d.goals_by_area = _goals_by_area(rd)
    d.prepare()
    return d


def _goals_by_area(rd: Any) -> dict[str, dict[str, Any]]:
    """Per RegSO: distance to the neighbouring types and the 2030 type probabilities (from
    :func:`grannskap.goals.report_data`)."""
    out: dict[str, dict[str, Any]] = {}
    dist = getattr(rd, "distances", None)
    if isinstance(dist, pd.DataFrame) and not dist.empty:
        for r in records(dist):
            out.setdefault(str(r["area_code"]), {})["distance"] = r
    proj = getattr(rd, "projection", None)
    if isinstance(proj, pd.DataFrame) and not proj.empty:
        for r in records(proj):
            probs = [
                (t, r.get(f"p_type{t}"), r.get(f"p_type{t}_low"), r.get(f"p_type{t}_high"))
                for t in range(1, 6)
            ]
            out.setdefault(str(r["area_code"]), {})["projection"] = [
                p for p in probs if p[1] is not None
            ]
    out["_year"] = {"computed_year": getattr(rd, "computed_year", None)}
    return out


class DashboardCache:
    """Dashboards per (kommun, lang), built on first use under a lock; the connection is read-only."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, threshold: int | None = None, max_items: int = 8
    ) -> None:
        self._con = con
        self._threshold = threshold
        self._lock = threading.Lock()  # guards the two dicts below, never held while building
        self._key_locks: dict[tuple[str, str], threading.Lock] = {}
        self._items: dict[tuple[str, str], Dashboard] = {}
        self._max = max_items
        self.kommuner = dict(
            con.execute("SELECT code, name FROM area WHERE system = 'kommun'").fetchall()
        )

    def get(self, kommun: str, lang: str) -> Dashboard:
        """The dashboard of (``kommun``, ``lang``), built on first use. Builds of different
        keys run at the same time (one lock per key); requests for a key being built wait for
        that build only."""
        if kommun not in self.kommuner:
            raise DataNotFoundError(f"kommun {kommun!r} is not in the database")
        key = (kommun, lang)
        item = self._items.get(key)
        if item is not None:
            return item
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            item = self._items.get(key)
            if item is None:
                item = build_dashboard(self._con.cursor(), kommun, lang, self._threshold)
                with self._lock:
                    if len(self._items) >= self._max:
                        self._items.pop(next(iter(self._items)))
                    self._items[key] = item
        return item

    def close(self) -> None:
        """Close the connection (after a data-version switch, see :mod:`.snapshot`)."""
        with self._lock:
            self._items.clear()
        self._con.close()


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with pandas' missing values turned into None (safe in templates)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def type_label(lang: str, typ: Any) -> str:
    try:
        return OMRADESTYP_LABELS[lang][int(typ)]
    except (KeyError, TypeError, ValueError):
        return ""

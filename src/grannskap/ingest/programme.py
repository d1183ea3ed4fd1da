"""Programme files (YAML or TOML): målområden, effektmål, interventions and funding.

A programme file describes one municipal programme. Amounts may be written as printed in
the source (``"4 606 150"``, ``"34,8 milj"``) so that a table can be copied as it stands;
totals stated in the source are kept as ``stated_total`` entries next to the rows, so the
reconciliation can show any difference instead of hiding it. See
``grannskap/data/boras/programme.yaml`` for a complete example.

Each area of an intervention may have its own ``start_year`` (an extension of the
intervention to new areas in a later year is a new start for those areas:
``{system: stadsdel, code: norrby, start_year: 2023}``); an area without one inherits the
intervention's ``start_year``, and ``start_year: unknown`` (or ``okänt``) says explicitly that
the year is not known — it is stored as NULL and evaluations leave that area out rather than
guess. See ``docs/programme_format.md``.

Loading a new version of a programme file replaces that programme's rows (one transaction).
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from grannskap.errors import InputError, Problem, ValidationError
from grannskap.store.connection import transaction
from grannskap.store.load import LoadResult, already_imported

__all__ = ["Programme", "parse_amount", "parse_programme", "load_programme", "looks_like_programme"]

_UNKNOWN_YEAR = {"unknown", "okänt", "okänd", "okant", "okand"}
"""How an area entry says that the year an intervention reached it is not known."""
_TYPES = {"forebyggande", "framjande", "atgardande", "okand"}
_TYPE_ALIASES = {
    "förebyggande": "forebyggande",
    "främjande": "framjande",
    "åtgärdande": "atgardande",
    "okänd": "okand",
    "ej angiven": "okand",
    "ej_angiven": "okand",
    "": "okand",
    "preventive": "forebyggande",
    "promotive": "framjande",
    "remedial": "atgardande",
    "unknown": "okand",
    "not specified": "okand",
}


def parse_amount(value: Any) -> Decimal:
    """An amount in SEK from a number or Swedish text: ``"4 606 150"``, ``"34,8 milj"``, ``"1,5 mnkr"``."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not an amount")
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = str(value).strip().lower().replace("\u00a0", " ").rstrip(".")
    factor = Decimal(1)
    match = re.fullmatch(r"(.+?)\s*(milj|miljoner|mnkr|msek|mkr|tkr)\.?", text)
    if match:
        text, unit = match.group(1), match.group(2)
        factor = Decimal(1000) if unit == "tkr" else Decimal(1_000_000)
    text = text.replace(" ", "").replace("kr", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text) * factor
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    return amount


@dataclass
class Programme:
    file_name: str
    file_hash: str
    programme: dict[str, Any]
    malomraden: pd.DataFrame
    effektmal: pd.DataFrame
    interventions: pd.DataFrame
    intervention_areas: pd.DataFrame
    funding: pd.DataFrame
    stadsdelar: pd.DataFrame = field(default_factory=pd.DataFrame)


def looks_like_programme(data: bytes, suffix: str) -> bool:
    if suffix not in (".yaml", ".yml", ".toml"):
        return False
    text = data[:5000].decode("utf-8", errors="replace")
    return "programme" in text and ("malomraden" in text or "funding" in text)


def _load_doc(data: bytes, file_name: str) -> dict[str, Any]:
    text = data.decode("utf-8-sig", errors="replace")
    if file_name.endswith(".toml"):
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(Problem(file_name, f"not valid TOML ({exc})")) from exc
    import yaml

    from grannskap._yaml import safe_load as safe_yaml

    try:
        doc = safe_yaml(text)  # no aliases, bounded (issue 18)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            Problem(
                file_name,
                f"not valid YAML ({getattr(exc, 'problem', exc)})",
                row=(mark.line + 1) if mark else None,
            )
        ) from exc
    if not isinstance(doc, dict):
        raise InputError(
            Problem(
                file_name,
                "a programme file must be a mapping",
                value=type(doc).__name__,
                expected="keys programme, malomraden, effektmal, interventions, funding",
            )
        )
    return doc


def parse_programme(data: bytes, file_name: str) -> Programme:
    doc = _load_doc(data, file_name)
    problems: list[Problem] = []

    def need(obj: dict[str, Any], key: str, where: str) -> Any:
        if not isinstance(obj, dict) or obj.get(key) in (None, ""):
            problems.append(
                Problem(file_name, f"missing '{key}'", column=where, expected=f"a value for {key}")
            )
            return None
        return obj[key]

    prog = doc.get("programme")
    if not isinstance(prog, dict):
        raise InputError(
            Problem(file_name, "no 'programme' section", expected="programme: {id, name, kommun}")
        )
    pid = need(prog, "id", "programme")
    need(prog, "name", "programme")
    kommun = str(need(prog, "kommun", "programme") or "")
    if kommun and not re.fullmatch(r"\d{4}", kommun):
        problems.append(
            Problem(
                file_name,
                "not a kommun code",
                column="programme.kommun",
                value=kommun,
                expected="four digits, e.g. 1490",
            )
        )

    mal = []
    for i, m in enumerate(doc.get("malomraden") or []):
        where = f"malomraden[{i}]"
        mal.append(
            {
                "malomrade_id": need(m, "id", where),
                "programme_id": pid,
                "name_sv": need(m, "name_sv", where),
                "name_en": (m or {}).get("name_en", ""),
                "responsible": (m or {}).get("responsible", ""),
                "decided": str((m or {}).get("decided", "") or ""),
                "ordinal": i + 1,
            }
        )
    mal_ids = {m["malomrade_id"] for m in mal}

    eff = []
    for i, e in enumerate(doc.get("effektmal") or []):
        where = f"effektmal[{i}]"
        mid = (e or {}).get("malomrade")
        if mid is not None and mid not in mal_ids:
            problems.append(
                Problem(
                    file_name,
                    "unknown målområde",
                    column=f"{where}.malomrade",
                    value=mid,
                    expected=f"one of {sorted(mal_ids)}",
                )
            )
        eff.append(
            {
                "effektmal_id": need(e, "id", where),
                "malomrade_id": mid,
                "name_sv": need(e, "name_sv", where),
                "name_en": (e or {}).get("name_en", ""),
                "known": bool((e or {}).get("known", True)),
                "indicator_ids": list((e or {}).get("indicators", [])),
                "ordinal": i + 1,
            }
        )

    inter, areas = [], []
    for i, it in enumerate(doc.get("interventions") or []):
        where = f"interventions[{i}]"
        iid = need(it, "id", where)
        raw_type = str((it or {}).get("type", "okand")).strip().lower()
        itype = _TYPE_ALIASES.get(raw_type, raw_type)
        if itype not in _TYPES:
            problems.append(
                Problem(
                    file_name,
                    "unknown intervention type",
                    column=f"{where}.type",
                    value=raw_type,
                    expected="förebyggande, främjande, åtgärdande or ej angiven",
                )
            )
        mid = (it or {}).get("malomrade")
        if mid is not None and mid not in mal_ids:
            problems.append(
                Problem(
                    file_name,
                    "unknown målområde",
                    column=f"{where}.malomrade",
                    value=mid,
                    expected=f"one of {sorted(mal_ids)}",
                )
            )
        start, end = (it or {}).get("start_year"), (it or {}).get("end_year")
        if isinstance(start, int) and isinstance(end, int) and end < start:
            problems.append(
                Problem(
                    file_name,
                    "ends before it starts",
                    column=f"{where}.end_year",
                    value=end,
                    expected=f">= {start}",
                )
            )
        inter.append(
            {
                "intervention_id": iid,
                "programme_id": pid,
                "name": need(it, "name", where),
                "description": (it or {}).get("description"),
                "type": itype,
                "malomrade_id": mid,
                "effektmal_ids": list((it or {}).get("effektmal", [])),
                "target_group": (it or {}).get("target_group"),
                "start_year": start,
                "end_year": end,
                "responsible": (it or {}).get("responsible"),
                "source_note": (it or {}).get("source"),
            }
        )
        for j, a in enumerate((it or {}).get("areas") or []):
            if not isinstance(a, dict) or "code" not in a or "system" not in a:
                problems.append(
                    Problem(
                        file_name,
                        "an area needs system and code",
                        column=f"{where}.areas[{j}]",
                        value=a,
                        expected="{system: stadsdel|regso2020|deso2018|police, code: ...}",
                    )
                )
                continue
            a_start = a.get("start_year", start)
            if isinstance(a_start, str) and a_start.strip().lower() in _UNKNOWN_YEAR:
                a_start = None  # explicitly unknown: stored as NULL, never the intervention's
            elif a_start is not None and not isinstance(a_start, int):
                problems.append(
                    Problem(
                        file_name,
                        "an area's start_year is not a year",
                        column=f"{where}.areas[{j}].start_year",
                        value=a_start,
                        expected="a year (2023) or unknown",
                    )
                )
                continue
            areas.append(
                {
                    "intervention_id": iid,
                    "area_system": a["system"],
                    "area_code": str(a["code"]),
                    "start_year": a_start,
                    "end_year": a.get("end_year", end),
                }
            )

    fund = []
    for i, block in enumerate(doc.get("funding") or []):
        where = f"funding[{i}]"
        source_note = (block or {}).get("source", "")
        fsource = (block or {}).get("funding_source")

        def amount(value: Any, col: str) -> Decimal | None:
            try:
                return parse_amount(value)
            except ValueError:
                problems.append(
                    Problem(
                        file_name,
                        "not an amount",
                        column=col,
                        value=value,
                        expected="a number or Swedish text such as '4 606 150' or '34,8 milj'",
                    )
                )
                return None

        grant = (block or {}).get("grant")
        if grant is not None:
            fund.append(
                {
                    "kind": "grant",
                    "dimension": "total",
                    "amount_sek": amount(grant.get("amount"), f"{where}.grant"),
                    "label": grant.get("label"),
                    "funding_source": grant.get("funding_source", fsource),
                    "source_note": source_note,
                }
            )
        for dim, key in (("year", "per_year"), ("category", "per_category")):
            part = (block or {}).get(key)
            if not part:
                continue
            for j, row in enumerate(part.get("rows") or []):
                col = f"{where}.{key}.rows[{j}]"
                entry = {
                    "kind": "spent",
                    "dimension": dim,
                    "amount_sek": amount(row.get("amount"), col),
                    "label": row.get("label"),
                    "funding_source": fsource,
                    "source_note": source_note,
                }
                if dim == "year":
                    entry["year"] = row.get("year")
                    if not isinstance(row.get("year"), int):
                        problems.append(
                            Problem(
                                file_name,
                                "not a year",
                                column=f"{col}.year",
                                value=row.get("year"),
                                expected="a year such as 2020",
                            )
                        )
                else:
                    entry["category"] = row.get("category")
                    entry["malomrade_id"] = row.get("malomrade")
                    if row.get("malomrade") is not None and row.get("malomrade") not in mal_ids:
                        problems.append(
                            Problem(
                                file_name,
                                "unknown målområde",
                                column=f"{col}.malomrade",
                                value=row.get("malomrade"),
                                expected=f"one of {sorted(mal_ids)}",
                            )
                        )
                fund.append(entry)
            if part.get("total") is not None:
                fund.append(
                    {
                        "kind": "stated_total",
                        "dimension": dim,
                        "amount_sek": amount(part["total"], f"{where}.{key}.total"),
                        "label": part.get("total_label", "Totalsumma"),
                        "funding_source": fsource,
                        "source_note": source_note,
                    }
                )
        detail = [("interventions", r) for r in (block or {}).get("interventions") or []]
        detail += [("rows", r) for r in (block or {}).get("rows") or []]
        counters: dict[str, int] = {}
        for key, row in detail:
            j = counters[key] = counters.get(key, -1) + 1
            col = f"{where}.{key}[{j}]"
            if not isinstance(row, dict):
                problems.append(
                    Problem(
                        file_name,
                        "a funding row must be a mapping",
                        column=col,
                        value=row,
                        expected="{year, malomrade, intervention, funding_source, kind, amount}",
                    )
                )
                continue
            kind = str(row.get("kind", (block or {}).get("kind", "budget")))
            if kind not in ("budget", "spent"):
                problems.append(
                    Problem(
                        file_name,
                        "unknown funding kind",
                        column=f"{col}.kind",
                        value=kind,
                        expected="budget or spent",
                    )
                )
            year = row.get("year")
            if year is not None and not isinstance(year, int):
                problems.append(
                    Problem(
                        file_name,
                        "not a year",
                        column=f"{col}.year",
                        value=year,
                        expected="a year such as 2023",
                    )
                )
            mid = row.get("malomrade")
            if mid is not None and mid not in mal_ids:
                problems.append(
                    Problem(
                        file_name,
                        "unknown målområde",
                        column=f"{col}.malomrade",
                        value=mid,
                        expected=f"one of {sorted(mal_ids)}",
                    )
                )
            iid = row.get("intervention")
            if iid is not None and iid not in {x["intervention_id"] for x in inter}:
                problems.append(
                    Problem(
                        file_name,
                        "unknown intervention",
                        column=f"{col}.intervention",
                        value=iid,
                        expected=f"one of {sorted(str(x['intervention_id']) for x in inter)}",
                    )
                )
            fund.append(
                {
                    "kind": kind,
                    "dimension": "intervention",
                    "year": year,
                    "malomrade_id": mid,
                    "intervention_id": iid,
                    "amount_sek": amount(row.get("amount"), col),
                    "label": row.get("label"),
                    "funding_source": row.get("funding_source", fsource),
                    "source_note": row.get("source", source_note),
                }
            )

    stads = [
        {"code": s.get("code"), "name": s.get("name"), "regso": list(s.get("regso", []))}
        for s in (doc.get("stadsdelar") or [])
        if isinstance(s, dict)
    ]
    ValidationError.raise_if_any(problems)
    for f in fund:
        f["programme_id"] = pid
    cols_f = [
        "programme_id",
        "kind",
        "dimension",
        "year",
        "category",
        "malomrade_id",
        "intervention_id",
        "amount_sek",
        "funding_source",
        "label",
        "source_note",
    ]
    return Programme(
        file_name=file_name,
        file_hash=hashlib.sha256(data).hexdigest(),
        programme={
            "programme_id": pid,
            "name": prog.get("name"),
            "kommun_code": kommun,
            "start_year": prog.get("start_year"),
            "end_year": prog.get("end_year"),
            "description": prog.get("description"),
        },
        malomraden=pd.DataFrame(mal),
        effektmal=pd.DataFrame(eff),
        interventions=pd.DataFrame(inter),
        intervention_areas=pd.DataFrame(
            areas, columns=["intervention_id", "area_system", "area_code", "start_year", "end_year"]
        ),
        funding=pd.DataFrame(fund).reindex(columns=cols_f),
        stadsdelar=pd.DataFrame(stads),
    )


def load_programme(con, prog: Programme) -> LoadResult:  # type: ignore[no-untyped-def]
    """Replace the programme's rows with the file's content, in one transaction."""
    previous = already_imported(con, prog.file_hash)
    if previous is not None:
        return LoadResult(prog.file_name, "programme", previous, 0, skipped=True)
    pid = prog.programme["programme_id"]
    with transaction(con):
        import_id = int(
            con.execute(
                "INSERT INTO provenance (source, table_id, title, file_name, file_hash, row_count) "
                "VALUES ('programme', ?, ?, ?, ?, ?) RETURNING import_id",
                [
                    pid,
                    str(prog.programme["name"]),
                    prog.file_name,
                    prog.file_hash,
                    len(prog.funding),
                ],
            ).fetchone()[0]
        )  # type: ignore[index]
        ids = [
            r[0]
            for r in con.execute(
                "SELECT intervention_id FROM intervention WHERE programme_id = ?", [pid]
            ).fetchall()
        ]
        mids = [
            r[0]
            for r in con.execute(
                "SELECT malomrade_id FROM malomrade WHERE programme_id = ?", [pid]
            ).fetchall()
        ]
        if ids:
            con.execute(
                "DELETE FROM intervention_area WHERE list_contains(?, intervention_id)", [ids]
            )
        if mids:
            con.execute("DELETE FROM effektmal WHERE list_contains(?, malomrade_id)", [mids])
        for table in ("funding", "intervention", "malomrade", "programme"):
            con.execute(f"DELETE FROM {table} WHERE programme_id = ?", [pid])
        p = prog.programme
        con.execute(
            "INSERT INTO programme VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                pid,
                p["name"],
                p["kommun_code"],
                p["start_year"],
                p["end_year"],
                p["description"],
                import_id,
            ],
        )
        for table, frame in (
            ("malomrade", prog.malomraden),
            ("effektmal", prog.effektmal),
            ("intervention", prog.interventions),
            ("intervention_area", prog.intervention_areas),
        ):
            if len(frame):
                if table == "effektmal":
                    con.execute(
                        "DELETE FROM effektmal WHERE list_contains(?, effektmal_id)",
                        [list(frame["effektmal_id"])],
                    )
                con.register("_f", frame.assign(import_id=import_id))
                cols = ", ".join([*frame.columns, "import_id"])
                con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _f")
                con.unregister("_f")
        if len(prog.funding):
            f = prog.funding.assign(import_id=import_id)
            f["amount_sek"] = f["amount_sek"].astype(str)
            con.register("_f", f)
            cols = ", ".join(f.columns)
            con.execute(
                f"INSERT INTO funding ({cols}) SELECT {cols.replace('amount_sek', 'CAST(amount_sek AS DECIMAL(18,2))')} FROM _f"
            )
            con.unregister("_f")
        for s in prog.stadsdelar.to_dict("records") if len(prog.stadsdelar) else []:
            con.execute(
                "INSERT OR REPLACE INTO area (system, code, name, kommun_code, import_id) VALUES ('stadsdel', ?, ?, ?, ?)",
                [s["code"], s["name"], p["kommun_code"], import_id],
            )
            for r in s["regso"]:
                con.execute(
                    "INSERT OR REPLACE INTO crosswalk VALUES ('regso2020', ?, 'stadsdel', ?, 1.0, ?)",
                    [r, s["code"], import_id],
                )
    return LoadResult(
        prog.file_name,
        "programme",
        import_id,
        len(prog.funding) + len(prog.interventions),
        skipped=False,
    )

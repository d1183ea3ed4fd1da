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
from grannskap.geography.codes import DESO_RE, REGSO_RE
from grannskap.ingest._programme_fields import Fields, depth_over, show
from grannskap.store.connection import transaction
from grannskap.store.load import LoadResult, already_imported

__all__ = ["Programme", "parse_amount", "parse_programme", "load_programme", "looks_like_programme"]

_AREA_SYSTEMS = ("stadsdel", "regso2020", "regso2025", "deso2018", "deso2025", "police", "kommun")
"""The code systems an intervention's areas may be given in (``code_system`` in the schema)."""
_CODE_RE = {
    "regso2020": REGSO_RE,
    "regso2025": REGSO_RE,
    "deso2018": DESO_RE,
    "deso2025": DESO_RE,
    "kommun": re.compile(r"^\d{4}$"),
}
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


_MAX_DEPTH = 20
"""The deepest nesting a programme file may have (the format needs 6 levels)."""


def _load_doc(data: bytes, file_name: str) -> dict[str, Any]:
    text = data.decode("utf-8-sig", errors="replace")
    if file_name.endswith(".toml"):
        try:
            doc: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(Problem(file_name, f"not valid TOML ({exc})")) from None
        except RecursionError:
            raise InputError(
                Problem(file_name, "TOML nested too deeply", expected="a programme file")
            ) from None
    else:
        import yaml

        from grannskap._yaml import safe_load as safe_yaml

        try:
            doc = safe_yaml(text)  # no aliases, bounded (issue 18)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise InputError(
                Problem(
                    file_name,
                    f"not valid YAML ({getattr(exc, 'problem', None) or exc})",
                    row=(mark.line + 1) if mark else None,
                )
            ) from None
        except RecursionError:
            raise InputError(
                Problem(file_name, "YAML nested too deeply", expected="a programme file")
            ) from None
    if not isinstance(doc, dict):
        raise InputError(
            Problem(
                file_name,
                "a programme file must be a mapping",
                value=type(doc).__name__,
                expected="keys programme, malomraden, effektmal, interventions, funding",
            )
        )
    if depth_over(doc, _MAX_DEPTH):
        raise InputError(
            Problem(
                file_name,
                f"nested more than {_MAX_DEPTH} levels deep",
                expected="a programme file (at most 6 levels of lists and mappings)",
            )
        )
    return doc


def parse_programme(data: bytes, file_name: str) -> Programme:
    """Parse and validate a programme file; every problem becomes one line of a
    :class:`~grannskap.errors.ValidationError` (never a traceback, issue 18 finding 9)."""
    doc = _load_doc(data, file_name)
    try:
        return _parse(doc, data, file_name)
    except (
        TypeError,
        ValueError,
        AttributeError,
        KeyError,
        ArithmeticError,
        RecursionError,
    ) as exc:
        # a shape the checks above did not foresee: still one line naming the file
        raise InputError(
            Problem(
                file_name,
                f"malformed programme file ({type(exc).__name__})",
                expected="see docs/programme_format.md",
            )
        ) from None


def _parse(doc: dict[str, Any], data: bytes, file_name: str) -> Programme:
    fx = Fields(file_name)
    prog = doc.get("programme")
    if not isinstance(prog, dict):
        raise InputError(
            Problem(
                file_name,
                "no 'programme' section",
                value=None if prog is None else show(prog),
                expected="programme: {id, name, kommun}",
            )
        )
    pid = fx.ident(prog, "id", "programme", required=True)
    pname = fx.text(prog, "name", "programme", required=True)
    kommun = fx.ident(prog, "kommun", "programme", required=True) or ""
    if kommun and not re.fullmatch(r"\d{4}", kommun):
        fx.bad("programme.kommun", "not a kommun code", kommun, "four digits, e.g. 1490")
    p_start = fx.year(prog, "start_year", "programme")
    p_end = fx.year(prog, "end_year", "programme")

    mal: list[dict[str, Any]] = []
    for i, m in fx.entries(doc, "malomraden", ""):
        where = f"malomraden[{i}]"
        mal.append(
            {
                "malomrade_id": fx.ident(m, "id", where, required=True),
                "programme_id": pid,
                "name_sv": fx.text(m, "name_sv", where, required=True),
                "name_en": fx.text(m, "name_en", where, default=""),
                "responsible": fx.text(m, "responsible", where, default=""),
                "decided": fx.text(m, "decided", where, default=""),
                "ordinal": i + 1,
            }
        )
    fx.check_unique([m["malomrade_id"] for m in mal], "malomraden", "målområde")
    mal_ids = {m["malomrade_id"] for m in mal if m["malomrade_id"] is not None}

    eff: list[dict[str, Any]] = []
    for i, e in fx.entries(doc, "effektmal", ""):
        where = f"effektmal[{i}]"
        mid = fx.ident(e, "malomrade", where)
        fx.check_unknown(mid, mal_ids, f"{where}.malomrade", "målområde")
        eff.append(
            {
                "effektmal_id": fx.ident(e, "id", where, required=True),
                "programme_id": pid,
                "malomrade_id": mid,
                "name_sv": fx.text(e, "name_sv", where, required=True),
                "name_en": fx.text(e, "name_en", where, default=""),
                "known": fx.boolean(e, "known", where, True),
                "indicator_ids": fx.ident_list(e, "indicators", where),
                "ordinal": i + 1,
            }
        )
    fx.check_unique([e["effektmal_id"] for e in eff], "effektmal", "effektmål")

    inter: list[dict[str, Any]] = []
    areas: list[dict[str, Any]] = []
    for i, it in fx.entries(doc, "interventions", ""):
        where = f"interventions[{i}]"
        iid = fx.ident(it, "id", where, required=True)
        raw_type = (fx.text(it, "type", where, default="okand") or "okand").strip().lower()
        itype = _TYPE_ALIASES.get(raw_type, raw_type)
        if itype not in _TYPES:
            fx.bad(
                f"{where}.type",
                "unknown intervention type",
                raw_type,
                "förebyggande, främjande, åtgärdande or ej angiven",
            )
            itype = "okand"
        mid = fx.ident(it, "malomrade", where)
        fx.check_unknown(mid, mal_ids, f"{where}.malomrade", "målområde")
        start = fx.year(it, "start_year", where, unknown=True)
        end = fx.year(it, "end_year", where)
        if start is not None and end is not None and end < start:
            fx.bad(f"{where}.end_year", "ends before it starts", end, f">= {start}")
        inter.append(
            {
                "intervention_id": iid,
                "programme_id": pid,
                "name": fx.text(it, "name", where, required=True),
                "description": fx.text(it, "description", where),
                "type": itype,
                "malomrade_id": mid,
                "effektmal_ids": fx.ident_list(it, "effektmal", where),
                "target_group": fx.text(it, "target_group", where),
                "start_year": start,
                "end_year": end,
                "responsible": fx.text(it, "responsible", where),
                "source_note": fx.text(it, "source", where),
            }
        )
        seen_areas: set[tuple[str, str]] = set()
        for j, a in fx.entries(it, "areas", where):
            col = f"{where}.areas[{j}]"
            system = fx.ident(a, "system", col, required=True)
            code = fx.ident(a, "code", col, required=True)
            if system is None or code is None:
                continue
            if system not in _AREA_SYSTEMS:
                fx.bad(f"{col}.system", "unknown area system", system, ", ".join(_AREA_SYSTEMS))
                continue
            if system in _CODE_RE and not _CODE_RE[system].match(code):
                fx.bad(
                    f"{col}.code",
                    f"not a {system} code",
                    code,
                    "e.g. 1490R025" if system.startswith("regso") else "e.g. 1490C1010",
                )
                continue
            if (system, code) in seen_areas:
                fx.bad(
                    f"{col}.code",
                    "the area appears twice in the intervention",
                    code,
                    "each area once",
                )
                continue
            seen_areas.add((system, code))
            areas.append(
                {
                    "intervention_id": iid,
                    "area_system": system,
                    "area_code": code,
                    "start_year": fx.year(a, "start_year", col, start, unknown=True),
                    "end_year": fx.year(a, "end_year", col, end),
                }
            )
    fx.check_unique([x["intervention_id"] for x in inter], "interventions", "intervention")
    inter_ids = {x["intervention_id"] for x in inter if x["intervention_id"] is not None}

    fund: list[dict[str, Any]] = []
    for i, block in fx.entries(doc, "funding", ""):
        where = f"funding[{i}]"
        source_note = fx.text(block, "source", where, default="")
        fsource = fx.text(block, "funding_source", where)
        grant = fx.mapping(block, "grant", where)
        if grant is not None:
            fund.append(
                {
                    "kind": "grant",
                    "dimension": "total",
                    "amount_sek": fx.amount(grant.get("amount"), f"{where}.grant.amount"),
                    "label": fx.text(grant, "label", f"{where}.grant"),
                    "funding_source": fx.text(
                        grant, "funding_source", f"{where}.grant", default=fsource
                    ),
                    "source_note": source_note,
                }
            )
        for dim, key in (("year", "per_year"), ("category", "per_category")):
            part = fx.mapping(block, key, where)
            if not part:
                continue
            for j, row in fx.entries(part, "rows", f"{where}.{key}"):
                col = f"{where}.{key}.rows[{j}]"
                entry: dict[str, Any] = {
                    "kind": "spent",
                    "dimension": dim,
                    "amount_sek": fx.amount(row.get("amount"), f"{col}.amount"),
                    "label": fx.text(row, "label", col),
                    "funding_source": fsource,
                    "source_note": source_note,
                }
                if dim == "year":
                    entry["year"] = fx.year(row, "year", col)
                    if entry["year"] is None and row.get("year") is None:
                        fx.bad(f"{col}.year", "not a year", None, "a year such as 2020")
                else:
                    entry["category"] = fx.text(row, "category", col)
                    entry["malomrade_id"] = fx.ident(row, "malomrade", col)
                    fx.check_unknown(
                        entry["malomrade_id"], mal_ids, f"{col}.malomrade", "målområde"
                    )
                fund.append(entry)
            if part.get("total") is not None:
                fund.append(
                    {
                        "kind": "stated_total",
                        "dimension": dim,
                        "amount_sek": fx.amount(part["total"], f"{where}.{key}.total"),
                        "label": fx.text(
                            part, "total_label", f"{where}.{key}", default="Totalsumma"
                        ),
                        "funding_source": fsource,
                        "source_note": source_note,
                    }
                )
        block_kind = fx.text(block, "kind", where, default="budget")
        detail = [("interventions", j, r) for j, r in fx.entries(block, "interventions", where)]
        detail += [("rows", j, r) for j, r in fx.entries(block, "rows", where)]
        for key, j, row in detail:
            col = f"{where}.{key}[{j}]"
            kind = fx.text(row, "kind", col, default=block_kind)
            if kind not in ("budget", "spent"):
                fx.bad(f"{col}.kind", "unknown funding kind", kind, "budget or spent")
            mid = fx.ident(row, "malomrade", col)
            fx.check_unknown(mid, mal_ids, f"{col}.malomrade", "målområde")
            iid = fx.ident(row, "intervention", col)
            fx.check_unknown(iid, inter_ids, f"{col}.intervention", "intervention")
            fund.append(
                {
                    "kind": kind,
                    "dimension": "intervention",
                    "year": fx.year(row, "year", col),
                    "malomrade_id": mid,
                    "intervention_id": iid,
                    "amount_sek": fx.amount(row.get("amount"), f"{col}.amount"),
                    "label": fx.text(row, "label", col),
                    "funding_source": fx.text(row, "funding_source", col, default=fsource),
                    "source_note": fx.text(row, "source", col, default=source_note),
                }
            )

    stads: list[dict[str, Any]] = []
    for i, sd in fx.entries(doc, "stadsdelar", ""):
        where = f"stadsdelar[{i}]"
        code = fx.ident(sd, "code", where, required=True)
        regso = sd.get("regso") or []
        if not isinstance(regso, list):
            fx.bad(
                f"{where}.regso",
                "a stadsdel's regso must be a list of RegSO codes",
                regso,
                'e.g. ["1490R019", "1490R020"]',
            )
            continue
        codes = []
        for j, r in enumerate(regso):
            text = r.strip() if isinstance(r, str) else None
            if text is None or not REGSO_RE.match(text) or (kommun and text[:4] != kommun):
                fx.bad(
                    f"{where}.regso[{j}]",
                    "unknown RegSO code in a stadsdel",
                    r,
                    f"a RegSO code of kommun {kommun or '(the programme kommun)'}, e.g. 1490R025",
                )
                continue
            codes.append(text)
        stads.append({"code": code, "name": fx.text(sd, "name", where), "regso": codes})
    fx.check_unique([s["code"] for s in stads], "stadsdelar", "stadsdel")

    ValidationError.raise_if_any(fx.problems)
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
            "name": pname,
            "kommun_code": kommun,
            "start_year": p_start,
            "end_year": p_end,
            "description": fx.text(prog, "description", "programme"),
        },
        malomraden=pd.DataFrame(
            mal,
            columns=[
                "malomrade_id",
                "programme_id",
                "name_sv",
                "name_en",
                "responsible",
                "decided",
                "ordinal",
            ],
        ),
        effektmal=pd.DataFrame(
            eff,
            columns=[
                "effektmal_id",
                "programme_id",
                "malomrade_id",
                "name_sv",
                "name_en",
                "known",
                "indicator_ids",
                "ordinal",
            ],
        ),
        interventions=pd.DataFrame(inter),
        intervention_areas=pd.DataFrame(
            areas, columns=["intervention_id", "area_system", "area_code", "start_year", "end_year"]
        ),
        funding=pd.DataFrame(fund).reindex(columns=cols_f),
        stadsdelar=pd.DataFrame(stads, columns=["code", "name", "regso"]),
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
                if table == "effektmal":  # ids are not yet scoped per programme in the schema
                    frame = frame.drop(columns=["programme_id"])
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

"""``grannskap indicators``: which indicators and group sets exist, on which levels, which years.

Lists the indicator catalogue (:mod:`grannskap.indicators`) with the levels each indicator can
be read on and the statistics years the database holds for it, then the group sets
``segregation --groups`` accepts. ``--all`` adds every stored series with totals (the ids
``evaluate --outcome`` also accepts). ``--out FILE.csv`` writes the same rows as a CSV
(semicolon separated, UTF-8 with BOM, for Swedish Excel).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from grannskap.cli import add_db_argument

__all__ = ["register", "run"]

_HEAD = {
    "sv": ("id", "namn", "enhet", "nivåer och år i databasen", "källor"),
    "en": ("id", "name", "unit", "levels and years in the database", "sources"),
}
_NONE = {"sv": "inga år i databasen", "en": "no years in the database"}
_UNITS = {
    "sv": {"persons": "personer", "percent": "%", "tkr": "tkr"},
    "en": {"persons": "persons", "percent": "%", "tkr": "SEK thousand"},
}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "indicators",
        help="list the indicators and group sets, their levels and the years in the database",
        description="The indicator catalogue: ids (for evaluate --outcome), names, units, the "
        "levels each can be read on and the years the database holds; then the group sets "
        "for segregation --groups.",
    )
    p.add_argument("--lang", default="sv", choices=["sv", "en"])
    p.add_argument(
        "--all", action="store_true", help="also every stored series with totals (raw SCB ids)"
    )
    p.add_argument("--out", type=Path, metavar="FILE.csv", help="also write the rows as CSV")
    add_db_argument(p)
    p.set_defaults(func=run)


def _coverage(con, bindings, lang: str) -> str:  # type: ignore[no-untyped-def]
    from grannskap.format import format_year_span
    from grannskap.indicators import LEVEL_NAMES, LEVELS, available_years

    parts = []
    for level in LEVELS:
        years = available_years(con, bindings, level)
        if years:
            parts.append(f"{LEVEL_NAMES[lang][level]} {format_year_span(years)}")
    return "; ".join(parts) or _NONE[lang]


def run(args: argparse.Namespace) -> int:
    from grannskap.indicators import GROUP_SETS, INDICATORS
    from grannskap.store import connect
    from grannskap.store.coverage import stored_series

    lang = args.lang
    con = connect(args.db, read_only=True)
    try:
        rows: list[tuple[str, str, str, str, str]] = []
        for ind in INDICATORS:
            unit = _UNITS[lang].get(str(ind.unit), str(ind.unit))
            sources = ", ".join(dict.fromkeys(b.table for b in ind.bindings))
            rows.append((ind.id, ind.name(lang), unit, _coverage(con, ind.bindings, lang), sources))
        groups: list[tuple[str, str, str, str, str]] = []
        for gs in GROUP_SETS:
            names = " / ".join(g.label(lang) for g in gs.groups)
            sources = ", ".join(dict.fromkeys(b.table for b in gs.bindings))
            groups.append(
                (
                    gs.name,
                    f"{gs.label(lang)}: {names}",
                    "",
                    _coverage(con, gs.bindings, lang),
                    sources,
                )
            )
        raw: list[tuple[str, str, str, str, str]] = []
        if args.all:
            for iid, name_sv, name_en, system, first, last, n in stored_series(con):
                years = (
                    f"{first}–{last}"
                    if n > 1 and last - first + 1 == n
                    else (str(first) if n == 1 else f"{n} år {first}–{last}")
                )
                raw.append(
                    (
                        iid,
                        (name_en or name_sv) if lang == "en" else name_sv,
                        "",
                        f"{system} {years}",
                        "",
                    )
                )
    finally:
        con.close()

    title = {
        "sv": ("Indikatorer", "Gruppindelningar (segregation --groups)", "Lagrade serier (--all)"),
        "en": ("Indicators", "Group sets (segregation --groups)", "Stored series (--all)"),
    }[lang]
    for heading, block in zip(title, (rows, groups, raw), strict=True):
        if not block:
            continue
        print(f"{heading}:")
        for r in block:
            extra = f" [{r[2]}]" if r[2] else ""
            src = f" ({r[4]})" if r[4] else ""
            print(f"  {r[0]:<22} {r[1]}{extra}{src}\n  {'':<22} {r[3]}")
    if args.out:
        import pandas as pd

        from grannskap.outputs import write_csv

        frame = pd.DataFrame([*rows, *groups, *raw], columns=list(_HEAD[lang]))
        write_csv(frame, args.out, sep=";", bom=True)
        print(f"wrote {args.out}")
    return 0

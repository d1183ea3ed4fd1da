"""``grannskap goals``: status of each effect goal per year, trend and the 2030 projection."""

from __future__ import annotations

import argparse

from grannskap.cli import add_db_argument

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "goals", help="print the status of the effect goals and the projection to the deadline"
    )
    p.add_argument("--kommun", default="1490", help="kommun code (default 1490, Borås)")
    p.add_argument(
        "--goals-file",
        default=None,
        metavar="FILE.yaml",
        help="goals file (default: the shipped Borås goals)",
    )
    p.add_argument(
        "--draws", type=int, default=1000, help="posterior draws for the projection (default 1000)"
    )
    p.add_argument("--lang", choices=["sv", "en"], default="sv")
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from grannskap.errors import DataNotFoundError
    from grannskap.format import format_share
    from grannskap.goals import report_data
    from grannskap.store import connect

    con = connect(args.db, read_only=True)
    try:
        data = report_data(
            con, kommun=args.kommun, lang=args.lang, n_draws=args.draws, goals_path=args.goals_file
        )
    finally:
        con.close()
    if data.goal_summary.empty:
        raise DataNotFoundError(
            f"no goals for kommun {args.kommun}; give a goals file with --goals-file"
        )
    sv = args.lang == "sv"
    for _, g in data.goal_summary.iterrows():
        print(f"{g.goal} (mål {g.deadline})" if sv else f"{g.goal} (deadline {g.deadline})")
        rows = data.goal_status[data.goal_status["goal_id"] == g.goal_id]
        for _, r in rows.iterrows():
            state = (
                ("uppfyllt" if r.met else "ej uppfyllt") if sv else ("met" if r.met else "not met")
            )
            print(
                f"  {int(r.year)} [{r.source}]: {int(r.n_bad)} av {int(r.n_areas)} område(n) — {state}"
            )
        print(f"  {'Trend' if sv else 'Trend'}: {g.trend}")
        if g.p_met == g.p_met:
            label = "Sannolikhet att målet nås" if sv else "Probability the goal is met"
            print(
                f"  {label}: {format_share(g.p_met)} (90 %-intervall {format_share(g.p_met_low)}–{format_share(g.p_met_high)}; {g.projection_basis})"
            )
        elif getattr(g, "forecast_note", ""):
            # no probability without a model that beat "no change" in the backtest
            print(f"  {g.forecast_note}")
        print()
    print("Förbehåll:" if sv else "Caveats:")
    for c in data.caveats:
        print(f"  - {c}")
    print("Metod:" if sv else "Method:")
    for c in data.method_notes:
        print(f"  - {c}")
    return 0

"""``grannskap register ...``: person-level register data (aggregate, validate, synth,
neighbourhoods).

``grannskap register aggregate INPUT --engine duckdb|dask [--scheduler ADDR] [--workers N]
--out FILE.parquet|csv [--db PATH]`` validates the person-year input, computes all area
indicators and writes them in the observation layout (and loads the DeSO-level ones into the
database with ``--db``). ``grannskap register synth --persons N --years Y --out DIR`` writes a
SYNTHETIC register for trying things out. ``grannskap register neighbourhoods INPUT --groups
background --k 12,25,... --cell-size 100 --out FILE.parquet|csv`` computes the individualised
(k-nearest-person) neighbourhoods per year and cell (tiles with halos on Dask) and prints the
segregation indices per k (``--indices FILE`` writes them).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

__all__ = ["register", "run_aggregate", "run_validate", "run_synth", "run_neighbourhoods"]


def _engine_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", metavar="INPUT", help="directory (hive year=YYYY/), file or glob")
    p.add_argument("--format", choices=["parquet", "csv"], help="input format (default: guessed)")
    p.add_argument("--engine", choices=["duckdb", "dask"], default="duckdb", help="default: duckdb")
    p.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler address (tcp://host:8786)")
    p.add_argument("--workers", type=int, default=2, help="LocalCluster workers (default 2)")
    p.add_argument("--threads", type=int, help="DuckDB threads (default: all cores)")
    p.add_argument(
        "--memory-limit", metavar="SIZE", help="DuckDB memory_limit / Dask worker memory"
    )
    p.add_argument("--deso-key", metavar="CSV", help="SCB DeSO key file: report unknown DeSO codes")
    p.add_argument("--strict", action="store_true", help="stop on any data problem")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from grannskap.cli import add_db_argument

    p = sub.add_parser(
        "register",
        help="person-level register data: aggregate to area indicators (DuckDB or Dask)",
        description="Person-year register data: validate, aggregate to DeSO/grid indicators, "
        "or write a SYNTHETIC register.",
    )
    rsub = p.add_subparsers(dest="register_command", metavar="ACTION")

    agg = rsub.add_parser("aggregate", help="compute all area indicators from person-year data")
    _engine_args(agg)
    agg.add_argument("--out", required=True, type=Path, metavar="FILE", help="*.parquet or *.csv")
    agg.add_argument("--no-grid", action="store_true", help="skip the grid-cell counts")
    agg.add_argument(
        "--income-quintiles",
        action="store_true",
        help="also count the population per national income quintile (inkomstkvintil=q1..q5)",
    )
    agg.add_argument(
        "--min-count",
        type=int,
        default=None,
        metavar="N",
        help="hide counts of 1 to N-1 persons and the cells that would reveal them by "
        "subtraction (default 4: counts of 1-3 persons are hidden)",
    )
    agg.add_argument(
        "--no-suppression",
        action="store_true",
        help="write exact small counts: only for work inside a secure environment",
    )
    add_db_argument(agg)
    agg.set_defaults(func=run_aggregate, db=None)

    val = rsub.add_parser("validate", help="count problems in person-year data")
    _engine_args(val)
    val.set_defaults(func=run_validate)

    nbh = rsub.add_parser(
        "neighbourhoods", help="individualised (k-nearest-person) neighbourhoods per year and cell"
    )
    _engine_args(nbh)
    nbh.add_argument(
        "--groups",
        default="background",
        choices=["background", "sex", "education", "economic_standard", "income_quintile"],
        help="group set (default: background); income_quintile: q1..q5 by the year's exact "
        "national quintiles of disp_income",
    )
    nbh.add_argument("--k", default=None, metavar="K,K,...", help="default: EquiPop's 12 ... 25600")
    nbh.add_argument("--cell-size", type=int, default=100, help="100 (default), 250 or 1000 m")
    nbh.add_argument("--years", metavar="Y,Y,...", help="default: all years in the data")
    nbh.add_argument("--ring-mode", choices=["whole", "proportional"], default="whole")
    nbh.add_argument("--max-distance", type=float, metavar="M", help="cap on the walk (metres)")
    nbh.add_argument(
        "--tile-size", metavar="CELLS", default="auto", help="tile side in cells, 'none' or 'auto'"
    )
    nbh.add_argument("--out", required=True, type=Path, metavar="FILE", help="*.parquet or *.csv")
    nbh.add_argument("--indices", type=Path, metavar="FILE", help="also write the indices")
    nbh.set_defaults(func=run_neighbourhoods)

    syn = rsub.add_parser("synth", help="write a SYNTHETIC person-year register")
    syn.add_argument("--persons", type=int, required=True)
    syn.add_argument("--years", type=int, default=10)
    syn.add_argument("--start-year", type=int, default=2015)
    syn.add_argument("--seed", type=int, default=2024)
    syn.add_argument("--deso-key", metavar="CSV", help="use the DeSO codes of SCB's key file")
    syn.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    syn.add_argument("--out", required=True, type=Path, metavar="DIR")
    syn.set_defaults(func=run_synth)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from grannskap.register import make_engine, open_source, read_deso_codes

    source = open_source(args.input, args.format)
    known = read_deso_codes(args.deso_key) if args.deso_key else None
    engine = make_engine(
        args.engine,
        scheduler=args.scheduler,
        workers=args.workers,
        threads=args.threads,
        memory_limit=args.memory_limit,
    )
    return source, known, engine


def run_validate(args: argparse.Namespace) -> int:
    import warnings

    from grannskap.register import validate

    source, known, engine = _open(args)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = validate(source, engine, known, strict=args.strict)
    finally:
        engine.close()
    print(report.summary())
    for problem in report.to_problems():
        print(f"  {problem}")
    return 0 if report.ok else 1


def run_aggregate(args: argparse.Namespace) -> int:
    import warnings

    from grannskap.errors import ConfigError
    from grannskap.register import aggregate, validate
    from grannskap.register.disclosure import DEFAULT_REGISTER_THRESHOLD

    out = Path(args.out)
    if out.suffix.lower() not in (".parquet", ".csv"):
        raise ConfigError(f"`--out` was {str(out)!r} but is expected to end in .parquet or .csv")
    if args.no_suppression and args.min_count is not None:
        raise ConfigError("`--min-count` and `--no-suppression` exclude each other; give one")
    threshold = DEFAULT_REGISTER_THRESHOLD if args.min_count is None else args.min_count
    if threshold < 1:
        raise ConfigError(f"`--min-count` was {threshold} but is expected to be at least 1")
    source, known, engine = _open(args)
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = validate(source, engine, known, strict=args.strict)
        result = aggregate(
            source, engine, grid=not args.no_grid, income_quintiles=args.income_quintiles
        )
    finally:
        engine.close()
    for problem in report.to_problems():
        print(f"grannskap: warning: {problem}", file=sys.stderr)
    if args.no_suppression:
        print(
            "grannskap: warning: --no-suppression: counts of 1-3 persons are written as they "
            "are; keep the output inside the secure environment",
            file=sys.stderr,
        )
    else:
        result = result.suppressed(threshold)
        print(result.notes[-1])
    obs = result.observations()
    _write(obs, out)
    print(
        f"{report.rows} person-years -> {len(obs)} observations written to {out} "
        f"({args.engine}, {time.perf_counter() - t0:.1f} s)"
    )
    if args.db:
        from grannskap.store import connect
        from grannskap.store.load import load_parsed

        con = connect(args.db)
        try:
            loaded = load_parsed(con, result.to_parsed_table())
        finally:
            con.close()
        print(loaded.describe())
    return 0


def run_synth(args: argparse.Namespace) -> int:
    from grannskap.register import read_deso_codes, synthesize

    codes = sorted(read_deso_codes(args.deso_key)) if args.deso_key else None
    info = synthesize(
        args.out,
        args.persons,
        args.years,
        start_year=args.start_year,
        deso_codes=codes,
        seed=args.seed,
        fmt=args.format,
    )
    print(
        f"SYNTHETIC register: {info.rows} person-years ({info.years[0]}–{info.years[-1]}) in "
        f"{info.files} file(s), {info.bytes / 2**20:.0f} MiB, {info.seconds:.1f} s -> {info.path}"
    )
    return 0


def _int_list(text: str | None, option: str) -> list[int] | None:
    from grannskap.errors import ConfigError

    if text is None:
        return None
    try:
        return [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ConfigError(
            f"`{option}` was {text!r} but is expected to be whole numbers separated by commas"
        ) from None


def _out_path(path: Path, option: str) -> Path:
    from grannskap.errors import ConfigError

    if path.suffix.lower() not in (".parquet", ".csv"):
        raise ConfigError(
            f"`{option}` was {str(path)!r} but is expected to end in .parquet or .csv"
        )
    return path


def _write(frame, path: Path) -> None:  # type: ignore[no-untyped-def]
    """CSV or Parquet by the suffix, written atomically (a failed write leaves no file)."""
    from grannskap.outputs import atomic_path

    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)


def _say_if_compiling() -> None:
    """Tell the user before the first (compiling) run of the neighbourhood engine."""
    try:
        from grannskap.measures.neighbourhoods._prefix_numba import compiled_engine_cached
    except ImportError:  # numba not installed: the pure-numpy engine needs no compile
        return
    if not compiled_engine_cached():
        print(
            "grannskap: compiling the neighbourhood engine for this environment "
            "(once, about 1-2 minutes; later runs use the cache)...",
            file=sys.stderr,
            flush=True,
        )


def run_neighbourhoods(args: argparse.Namespace) -> int:
    """Neighbourhood counts (no local per-cell counts) to ``--out``; indices to stdout."""
    import warnings

    from grannskap.errors import ConfigError, DataQualityWarning
    from grannskap.measures.neighbourhoods import EQUIPOP_K
    from grannskap.register.neighbourhoods import register_neighbourhoods

    out = _out_path(Path(args.out), "--out")
    ind_out = _out_path(Path(args.indices), "--indices") if args.indices else None
    k = _int_list(args.k, "--k") or list(EQUIPOP_K)
    years = _int_list(args.years, "--years")
    tile: int | str | None = args.tile_size
    if isinstance(tile, str) and tile.lower() in ("none", "auto"):
        tile = None if tile.lower() == "none" else "auto"
    else:
        tiles = _int_list(str(tile), "--tile-size")
        if not tiles or len(tiles) != 1 or tiles[0] < 1:
            raise ConfigError(
                f"`--tile-size` was {tile!r} but is expected to be cells >= 1, 'none' or 'auto'"
            )
        tile = tiles[0]
    source, _, engine = _open(args)
    _say_if_compiling()
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DataQualityWarning)
            result = register_neighbourhoods(
                engine, source, args.groups, k=k, cell_size=args.cell_size, years=years,
                ring_mode=args.ring_mode, max_distance=args.max_distance,
                tile_size=tile,  # type: ignore[arg-type]
            )  # fmt: skip
    finally:
        engine.close()
    for w in caught:
        print(f"grannskap: warning: {w.message}", file=sys.stderr)
    frame = result.to_frame()
    frame["synthetic"] = result.synthetic
    _write(frame, out)
    indices = result.indices_frame().assign(synthetic=result.synthetic)
    if result.synthetic:
        print("NOTE: SYNTHETIC register data (not real persons): all figures below are simulated")
    if ind_out is not None:
        _write(indices, ind_out)
    print(result.persons.to_string(index=False))
    print(indices.drop(columns="synthetic").to_string(index=False, float_format="{:.4f}".format))
    cells = sum(len(nb.x) for nb in result.by_year.values())
    print(
        f"{cells} cell-years x {len(k)} k -> {len(frame)} rows written to {out} "
        f"({args.engine}, {time.perf_counter() - t0:.1f} s)"
    )
    return 0

"""Register neighbourhoods benchmark: DuckDB in-process vs Dask tiles on a LocalCluster.

``python -m benchmarks register_neighbourhoods [--quick] [--persons N] [--years Y]``

1. Writes a SYNTHETIC register (:func:`grannskap.register.synthesize`) whose persons all live in
   the 20 areas of one synthetic municipality (a town-sized grid at 100 m; Sweden-wide synthetic
   data would make the untiled grid's dense index ~1 GB) to ``benchmarks/_data/`` (git-ignored);
   ``--towns N``: in N municipalities placed far apart (a wide, mostly empty grid: where the
   untiled dense index grows and the tiles do not).
2. Runs :func:`grannskap.register.neighbourhoods.register_neighbourhoods` with all 12 EquiPop k
   (12 ... 25,600), background groups, 100 m cells, twice, each in a fresh subprocess:
   DuckDB counts + untiled neighbourhoods in-process (numba with 2 threads), and Dask counts +
   tiles with halos on a LocalCluster of 2 single-threaded worker processes (numba with 1
   thread per worker). Prints wall time, peak memory (driver; Dask workers apart) and the
   ratio, and checks that both give identical neighbourhoods and indices; then DuckDB again with
   the tiles run in-process (the memory-bounded local variant), also checked identical.

``--quick``: 100 k persons x 1 year. Default: 1 M persons x 2 years.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"


def _vmhwm() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    return -1.0  # pragma: no cover


def _ensure(persons: int, years: int, towns: int = 1) -> Path:
    from grannskap.register import synthesize
    from grannskap.register.synth import synthetic_deso_codes

    path = DATA / f"register_town{towns}_{persons}x{years}"
    if (path / "_done").exists():
        print(f"data: reusing SYNTHETIC register {path}")
        return path
    codes = synthetic_deso_codes()
    kommuner = sorted({c[:4] for c in codes})[:towns]
    town = [c for c in codes if c[:4] in kommuner]
    info = synthesize(path, persons, years, deso_codes=town)
    (path / "_done").write_text("ok\n")
    where = "one town" if towns == 1 else f"{towns} towns"
    print(f"data: SYNTHETIC register ({where}), {info.rows:,} person-years, {info.seconds:.1f} s")
    return path


def _measure(engine_name: str, data: str, out: str, tile_size: str) -> dict[str, object]:
    from grannskap.register import make_engine, open_source
    from grannskap.register.neighbourhoods import register_neighbourhoods

    source = open_source(data)
    t0 = time.perf_counter()
    engine = make_engine(engine_name, workers=2, threads=2)
    startup = time.perf_counter() - t0
    tile = None if tile_size == "none" else int(tile_size)
    t0 = time.perf_counter()
    res = register_neighbourhoods(engine, source, tile_size=tile)
    wall = time.perf_counter() - t0
    workers: list[float] = []
    if engine_name == "dask":
        workers = sorted(engine.client.run(_vmhwm).values())  # type: ignore[attr-defined]
    engine.close()
    res.to_frame().to_parquet(out + ".nbh.parquet")
    res.indices_frame().to_parquet(out + ".ind.parquet")
    cells = sum(len(nb.x) for nb in res.by_year.values())
    tiles = {
        y: (r.tiles, r.tasks, r.rounds, r.retried, r.max_task_cells) for y, r in res.tiling.items()
    }
    return {
        "engine": engine_name,
        "wall": wall,
        "startup": startup,
        "rss": _vmhwm(),
        "workers": workers,
        "cells": cells,
        "persons": int(res.persons["persons"].sum()),
        "tiling": tiles,
    }


def _run(engine_name: str, data: Path, out: str, tile_size: str) -> dict:
    env = dict(os.environ)
    # Dask: one numba thread per single-threaded worker (2 workers = the 2 cores)
    env["NUMBA_NUM_THREADS"] = "1" if engine_name == "dask" else "2"
    cmd = [sys.executable, "-m", "benchmarks.bench_register_neighbourhoods", "--measure"]
    cmd += [engine_name, str(data), out, tile_size]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, cwd=HERE.parent, timeout=3600, env=env
    )
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks register_neighbourhoods")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--persons", type=int)
    p.add_argument("--years", type=int)
    p.add_argument("--tile-size", default="128", help="Dask tile side in cells (default 128)")
    p.add_argument("--towns", type=int, default=1, help="synthetic municipalities (default 1)")
    p.add_argument("--measure", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.measure:
        print(json.dumps(_measure(*args.measure)))
        return
    import pandas as pd

    persons = args.persons or (100_000 if args.quick else 1_000_000)
    years = args.years or (1 if args.quick else 2)
    data = _ensure(persons, years, args.towns)
    print(f"load average at start: {os.getloadavg()[0]:.1f} (machine may be shared)")
    with tempfile.TemporaryDirectory() as tmp:
        duck = _run("duckdb", data, f"{tmp}/duck", "none")
        dask = _run("dask", data, f"{tmp}/dask", args.tile_size)
        duck_tiled = _run("duckdb", data, f"{tmp}/ducktiled", args.tile_size)
        same = all(
            pd.read_parquet(f"{tmp}/duck.{kind}.parquet").equals(
                pd.read_parquet(f"{tmp}/{other}.{kind}.parquet")
            )
            for kind in ("nbh", "ind")
            for other in ("dask", "ducktiled")
        )
    print(
        f"{duck['persons']:,} person-years, {duck['cells']:,} populated 100 m cell-years, "
        f"12 k (12 ... 25,600)"
    )
    print(f"DuckDB + in-process neighbourhoods: {duck['wall']:.2f} s, peak RSS {duck['rss']} MiB")
    print(
        f"Dask 2 workers, tiles of {args.tile_size} cells: {dask['wall']:.2f} s "
        f"(cluster start {dask['startup']:.1f} s not included), driver peak RSS {dask['rss']} MiB, "
        f"workers {dask['workers']} MiB; tiling (tiles, tasks, rounds, retried, max cells/task) "
        f"{dask['tiling']}"
    )
    print(
        f"DuckDB + in-process tiles of {args.tile_size} cells: {duck_tiled['wall']:.2f} s, "
        f"peak RSS {duck_tiled['rss']} MiB"
    )
    print(f"ratio Dask / DuckDB wall: {dask['wall'] / duck['wall']:.2f}; identical results: {same}")
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main(sys.argv[1:])

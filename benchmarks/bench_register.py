"""Register benchmark: all area indicators from person-year data on DuckDB and on Dask.

``python -m benchmarks register [--quick] [--persons N] [--years Y] [--memory]``

1. Writes a SYNTHETIC register (default 10 M persons x 10 years ~ 100 M person-years) to
   ``benchmarks/_data/`` (git-ignored), unless it is there already.
2. Runs :func:`grannskap.register.aggregate` (exact national median per year, then counts per
   DeSO-year and grid-cell-year) with DuckDB (embedded, 2 threads) and with Dask on a 2-worker
   LocalCluster, each in a fresh subprocess; prints wall and CPU time, peak memory and the
   ratio, and checks that both give identical results.
3. Measures the per-partition throughput of the Dask task bodies and estimates the wall time
   for 350 M rows on a 16-worker cluster.
4. ``--memory`` (or ``--memory-only``): peak memory with 1x, 2x and 4x the data (1, 2 and 4
   files of every year of the same register): it should stay flat, bounded by the partition
   size rather than the data.
In ``--quick`` mode (200 k persons x 5 years) a plain pandas computation (the reference of
the tests) runs too, as the peer.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
KEY = HERE.parent.parent / "shared" / "data" / "scb_koppling" / "koppling_deso2018_regso2020.csv"


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _maxrss_mib() -> float:
    """Peak resident memory of this process (VmHWM: unlike ru_maxrss, not inherited at fork)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # pragma: no cover


def _worker_maxrss() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    return -1.0


def _measure(
    engine_name: str,
    pattern: str,
    out: str | None,
    workers: int,
    check: bool = False,
    memory_limit: str | None = None,
) -> dict[str, object]:
    """Run in a fresh process: aggregate once (and validate), report times and peak memory."""
    from grannskap.register import aggregate, make_engine, open_source, read_deso_codes, validate

    source = open_source(pattern)
    t0 = time.perf_counter()
    engine = make_engine(engine_name, workers=workers, threads=2, memory_limit=memory_limit)
    startup = time.perf_counter() - t0
    c0, t0 = _cpu(), time.perf_counter()
    result = aggregate(source, engine)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    info: dict[str, object] = {
        "engine": engine_name,
        "rows": int(result.area["pop"].sum()),
        "files": len(source.files),
        "startup_s": startup,
        "wall_s": wall,
        "client_cpu_s": cpu,
        "peak_rss_mib": _maxrss_mib(),
        "load": os.getloadavg(),
    }
    if check:
        known = read_deso_codes(KEY) if KEY.exists() else None
        t0 = time.perf_counter()
        report = validate(source, engine, known)
        info["validate_s"] = time.perf_counter() - t0
        info["problems"] = sum(report.counts.values())
    if engine_name == "dask":
        client = engine.client  # type: ignore[attr-defined]
        info["worker_peak_rss_mib"] = sorted(client.run(_worker_maxrss).values())
        info["partitions"] = len(engine.partitions(source))  # type: ignore[attr-defined]
        info["partition_rows"] = engine.partition_rows  # type: ignore[attr-defined]
    engine.close()
    if out:
        result.area.to_parquet(out + ".area.parquet")
        result.grid.to_parquet(out + ".grid.parquet")  # type: ignore[union-attr]
        result.medians.to_parquet(out + ".medians.parquet")
    return info


def _run_measure(
    engine_name: str,
    pattern: str,
    out: str | None,
    workers: int = 2,
    check: bool = False,
    memory_limit: str | None = None,
) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.bench_register", "--measure", engine_name, pattern]
    cmd += ["--workers", str(workers)] + (["--out", out] if out else [])
    cmd += ["--validate"] if check else []
    cmd += [f"--memory-limit={memory_limit}"] if memory_limit else []
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE.parent, timeout=3600)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _partition_throughput(pattern: str) -> tuple[float, int]:
    """Rows per second of one worker running all task bodies of aggregate on one partition."""
    import pyarrow.parquet as pq

    from grannskap.register import open_source
    from grannskap.register.dask_engine import DaskEngine, _count_part, _hist_part, _top_hist_part
    from grannskap.register.indicators import counters

    source = open_source(pattern)
    # partitions() only needs the partition settings: no cluster is started for this probe
    probe = DaskEngine.__new__(DaskEngine)
    probe.partition_rows, probe.csv_block_bytes = 2_000_000, 128 * 2**20
    part = probe.partitions(source)[0]
    meta = pq.ParquetFile(part.path).metadata
    rows = sum(meta.row_group(i).num_rows for i in part.row_groups)
    ctr = counters({y: 150_000.0 for y in range(1990, 2060)})
    pop = tuple((k, v) for k, v in ctr.items() if k.startswith("pop"))
    year = part.year or 0
    bodies = [
        lambda: _top_hist_part(part, "disp_income"),
        lambda: _hist_part(part, "disp_income", ((year, 1, 48, True),)),
        lambda: _count_part(
            part, ((("year", "deso"), tuple(ctr.items())), (("year", "grid_cell"), pop))
        ),
    ]
    for b in bodies:
        b()  # warm the file cache
    c0 = _cpu()
    for b in bodies:
        b()
    return rows / (_cpu() - c0), rows


def _pandas_peer(data: Path) -> float:
    import pandas as pd

    sys.path.insert(0, str(HERE.parent))
    from tests.register.reference import reference_counts

    t0 = time.perf_counter()
    frame = pd.read_parquet(data)
    frame["year"] = frame["year"].astype("int64")
    for c in ("deso", "sex", "background", "education", "employment"):
        frame[c] = frame[c].astype(object)
    reference_counts(frame, "deso")
    reference_counts(frame, "grid_cell")
    return time.perf_counter() - t0


def _ensure(persons: int, years: int) -> Path:
    from grannskap.register import read_deso_codes, synthesize

    path = DATA / f"register_{persons}x{years}"
    if (path / "_done").exists():
        print(f"data: reusing SYNTHETIC register {path}")
        return path
    codes = sorted(read_deso_codes(KEY)) if KEY.exists() else None
    info = synthesize(path, persons, years, deso_codes=codes)
    (path / "_done").write_text("ok\n")
    print(
        f"data: SYNTHETIC register, {info.rows:,} person-years, {info.files} files, "
        f"{info.bytes / 2**30:.2f} GiB written in {info.seconds:.1f} s ({info.rows / info.seconds / 1e6:.2f} M rows/s)"
    )
    return path


def _same(out_a: str, out_b: str) -> bool:
    import pandas as pd

    for kind in ("area", "grid", "medians"):
        a = pd.read_parquet(f"{out_a}.{kind}.parquet")
        b = pd.read_parquet(f"{out_b}.{kind}.parquet")
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=True)
        except AssertionError:
            return False
    return True


def main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks register")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--persons", type=int)
    p.add_argument("--years", type=int)
    p.add_argument("--memory", action="store_true", help="peak memory with 1x/2x/4x the data")
    p.add_argument("--memory-only", action="store_true", help="only the memory measurement")
    p.add_argument("--skip-dask", action="store_true")
    p.add_argument("--validate", action="store_true", help="time validate() too")
    p.add_argument("--memory-limit", help="DuckDB memory_limit / Dask worker memory (e.g. 300MB)")
    p.add_argument("--measure", nargs=2, metavar=("ENGINE", "INPUT"), help=argparse.SUPPRESS)
    p.add_argument("--workers", type=int, default=2, help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.measure:
        info = _measure(
            args.measure[0],
            args.measure[1],
            args.out,
            args.workers,
            args.validate,
            args.memory_limit,
        )
        print(json.dumps(info))
        return
    persons = args.persons or (200_000 if args.quick else 10_000_000)
    years = args.years or (5 if args.quick else 10)
    data = _ensure(persons, years)
    if args.memory_only:
        _memory_scaling(data, args.skip_dask, args.memory_limit)
        return
    pattern = str(data / "year=*" / "*.parquet")
    print(f"load average before: {os.getloadavg()} (2-core machine shared with other engineers)")
    with tempfile.TemporaryDirectory() as tmp:
        duck = _run_measure("duckdb", pattern, f"{tmp}/duck", check=args.validate)
        print(
            f"duckdb : {duck['rows']:,} rows, aggregate {duck['wall_s']:.1f} s wall "
            f"({duck['client_cpu_s']:.1f} s CPU), peak RSS {duck['peak_rss_mib']:.0f} MiB, load {duck['load']}"
        )
        if not args.skip_dask:
            dask = _run_measure("dask", pattern, f"{tmp}/dask", check=args.validate)
            print(
                f"dask   : {dask['partitions']} partitions of <= {dask['partition_rows']:,} rows, "
                f"cluster start {dask['startup_s']:.1f} s, aggregate {dask['wall_s']:.1f} s wall, "
                f"worker peak RSS {dask['worker_peak_rss_mib']} MiB, load {dask['load']}"
            )
            print(f"ratio dask/duckdb wall: {dask['wall_s'] / duck['wall_s']:.2f}")
            if args.validate:
                print(
                    f"validate (incl. duplicate check): duckdb {duck['validate_s']:.1f} s, "
                    f"dask {dask['validate_s']:.1f} s; problems found {duck['problems']} / {dask['problems']}"
                )
            print(f"identical results (counts, medians): {_same(f'{tmp}/duck', f'{tmp}/dask')}")
    if args.quick:
        t = _pandas_peer(data)
        print(
            f"pandas peer (reference code, in memory): {t:.1f} s; ratio pandas/duckdb {t / duck['wall_s']:.2f}"
        )
    thr, rows = _partition_throughput(pattern)
    passes_s = 350e6 / (16 * thr)
    tasks = 3 * 350e6 / 2e6
    overhead = tasks * 0.002 / 16 + 3 * 1.0  # ~2 ms scheduling per task, ~1 s latency per pass
    print(
        f"per-partition throughput: {thr / 1e6:.2f} M rows/s per worker (all 3 passes, one {rows:,}-row partition); "
        f"estimate 350 M rows on 16 workers: {passes_s:.0f} s compute + {overhead:.0f} s overhead "
        f"= {passes_s + overhead:.0f} s"
    )
    if args.memory:
        _memory_scaling(data, args.skip_dask, args.memory_limit)


def _memory_scaling(data: Path, skip_dask: bool, memory_limit: str | None = None) -> None:
    """Peak memory with 1x, 2x, 4x the person-years: k files of every year (same years, so the
    number of output groups stays about the same; more persons per year)."""
    year_dirs = sorted(glob.glob(str(data / "year=*")))
    for k in (1, 2, 4):
        with tempfile.TemporaryDirectory() as tmp:
            n_files = 0
            for d in year_dirs:
                files = sorted(glob.glob(d + "/*.parquet"))[:k]
                target = Path(tmp) / Path(d).name
                target.mkdir()
                for f in files:
                    os.symlink(f, target / Path(f).name)
                n_files += len(files)
            pat = str(Path(tmp) / "year=*" / "*.parquet")
            duck = _run_measure("duckdb", pat, None, memory_limit=memory_limit)
            line = (
                f"memory {k} file(s)/year ({duck['rows']:,} rows, {n_files} files): "
                f"duckdb (memory_limit {memory_limit or 'default'}) peak {duck['peak_rss_mib']:.0f} MiB ({duck['wall_s']:.0f} s)"
            )
            if not skip_dask:
                dask = _run_measure("dask", pat, None)
                line += f"; dask worker peaks {dask['worker_peak_rss_mib']} MiB ({dask['wall_s']:.0f} s)"
            print(line, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

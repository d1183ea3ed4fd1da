"""Benchmark: what users wait for as years accumulate - import, report and PDF (issue 17).

Data: the SIMULATED ten-year fixture of :mod:`benchmarks.fixture_years` (the eleven real SCB
DeSO exports of the demo relabelled 2014-2023 and perturbed; not SCB figures), cached under
``$XDG_CACHE_HOME/grannskap-bench``.

Each step runs in a fresh subprocess on the same files, ours and a baseline, both extracted with
``git archive`` (committed code only, so that others' uncommitted work does not enter):

- ours: ``HEAD``;
- import baseline: the tree at ``BASELINE`` (before the issue-17 work: openpyxl, per cell);
- report and PDF baseline: ``HEAD`` with the files the report work changed put back as they
  were before it (``REPORT_BASE``), so that sections added since count on both sides.

Steps:

1. import the eleven exports of one year (after the SCB key), runs x ``--runs``;
2. import all 110 exports of ten years;
3. ``report`` html + xlsx + gpkg on the ten-year database (ours built it; the databases built
   by ours and by the baseline are identical, see ``benchmarks.db_digest``);
4. the PDF step of the report (baseline: two Chromium passes; ours: one).

Printed: each run, median, min-max, and the ratio baseline / ours of the medians.
``python -m benchmarks years [--quick] [--runs=N] [--only=import|report]``; ``--quick``: one run
each, no ten-year baseline import (it takes ~2.5 min on a quiet machine).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

BASELINE = "31829d2"  # before the issue-17 work (per-cell openpyxl import, two PDF passes)
# the report work's files, each as it was before it (the programme section's call of the
# per-year counts is put back to the direct read it made then)
REPORT_BASE = {
    "src/grannskap/report/data.py": "6592e4a~1",
    "src/grannskap/report/sections/_common.py": "6592e4a~1",
    "src/grannskap/report/sections/indicators.py": "6592e4a~1",
    "src/grannskap/report/build.py": "b294e8a~1",
    "src/grannskap/report/pdf.py": "b294e8a~1",
}
ROOT = Path(__file__).resolve().parent.parent

_IMPORT = """
import json, sys, time
from pathlib import Path
from grannskap.store import connect
from grannskap.ingest.importer import import_file
files = [Path(p) for p in json.loads(sys.argv[1])]
con = connect(sys.argv[2])
import_file(con, files[0])  # the SCB key
t0 = time.perf_counter()
for f in files[1:]:
    import_file(con, f)
print(json.dumps({"seconds": time.perf_counter() - t0}))
"""

_REPORT = """
import json, sys, time
t0 = time.perf_counter()
from grannskap.report.build import build_report
from grannskap.store import connect
con = connect(sys.argv[1], read_only=True)
res = build_report(con, sys.argv[2], formats=tuple(sys.argv[3].split(",")))
steps = dict(res.seconds)
print(json.dumps({"seconds": time.perf_counter() - t0, "steps": steps,
                  "files": {k: str(v) for k, v in res.files.items()}, "skipped": res.skipped}))
"""


def _cache() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "grannskap-bench"


def fixture() -> dict[int, list[Path]]:
    """The SIMULATED exports per year, written once per generator version."""
    from benchmarks.fixture_years import YEARS, fixture_key, write_fixture

    d = _cache() / f"years-{fixture_key()}"
    done = d / ".complete"
    if not done.exists():
        t0 = time.perf_counter()
        write_fixture(d, YEARS)
        done.write_text("ok")
        print(f"fixture written to {d} in {time.perf_counter() - t0:.0f} s")
    return {y: sorted(d.glob(f"*_SIMULERAD_{y}.xlsx")) for y in YEARS}


def _archive(rev: str, dest: Path) -> Path:
    blob = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev, "src"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(blob)) as tar:
        tar.extractall(dest, filter="data")
    return dest / "src"


def trees(tmp: Path) -> tuple[Path, Path, Path]:
    """Source trees for PYTHONPATH: (ours, import baseline, report baseline)."""
    ours = _archive("HEAD", tmp / "ours")
    base_import = _archive(BASELINE, tmp / "base-import")
    base_report = _archive("HEAD", tmp / "base-report")
    for path, rev in REPORT_BASE.items():
        text = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:{path}"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        (tmp / "base-report" / path).write_text(text, encoding="utf-8")
    prog = tmp / "base-report" / "src/grannskap/report/sections/programme.py"
    prog.write_text(
        prog.read_text(encoding="utf-8").replace(
            "_common.counts_year(ctx, y)", "rdata.deso_counts(ctx.con, y)"
        ),
        encoding="utf-8",
    )
    return ours, base_import, base_report


def _run(code: str, args: list[str], pythonpath: Path | None) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=ROOT
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall"] = wall
    return out


def _summary(label: str, xs: list[float]) -> str:
    med = statistics.median(xs)
    runs = ", ".join(f"{x:.2f}" for x in xs)
    return f"{label}: median {med:.2f} s, min-max {min(xs):.2f}-{max(xs):.2f} s over {len(xs)} run(s) [{runs}]"


def _ratio(base: list[float], ours: list[float]) -> str:
    return f"{statistics.median(base) / statistics.median(ours):.1f}x"


def main(argv: list[str]) -> None:
    from benchmarks.fixture_years import other_demo_files

    quick = "--quick" in argv
    only = next((a.split("=")[1] for a in argv if a.startswith("--only=")), "")
    runs = next((int(a.split("=")[1]) for a in argv if a.startswith("--runs=")), 1 if quick else 3)
    try:
        print(f"load average at start: {os.getloadavg()[0]:.1f}")
    except OSError:
        pass
    by_year = fixture()
    key, rest = other_demo_files()
    one = [str(p) for p in key + by_year[2022]]
    ten = [str(p) for p in key + [f for y in sorted(by_year) for f in by_year[y]]]
    with tempfile.TemporaryDirectory(prefix="bench-years-") as tmp:
        tmpd = Path(tmp)
        ours_src, base_src, base_report = trees(tmpd)
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        print(
            f"ours: HEAD {head}; import baseline: {BASELINE}; "
            f"report baseline: HEAD with {sorted(set(REPORT_BASE.values()))} for its files"
        )

        def imp(files: list[str], src: Path | None, name: str) -> float:
            db = tmpd / f"{name}.duckdb"
            db.unlink(missing_ok=True)
            r = _run(_IMPORT, [json.dumps(files), str(db)], src)
            return float(r["seconds"])

        if only != "report":
            ours1 = [imp(one, ours_src, "o1") for _ in range(runs)]
            base1 = [imp(one, base_src, "b1") for _ in range(runs)]
            print(_summary("import 11 exports, one year, ours", ours1))
            print(_summary("import 11 exports, one year, baseline", base1))
            print(f"  ratio baseline/ours {_ratio(base1, ours1)}  (target <= 1.5 s)")

            ours10 = [imp(ten, ours_src, "o10") for _ in range(runs)]
            print(_summary("import 110 exports, ten years, ours", ours10))
            if not quick:
                base10 = [imp(ten, base_src, "b10")]
                print(_summary("import 110 exports, ten years, baseline", base10))
                print(f"  ratio baseline/ours {_ratio(base10, ours10)}  (target <= 15 s)")
        if only == "import":
            return

        # the ten-year database with the rest of the demo files, for the report
        db10 = tmpd / "ten.duckdb"
        _run(
            _IMPORT,
            [json.dumps(ten + [str(p) for p in rest]), str(db10)],
            ours_src,
        )
        for fmts, label, target in (
            ("html,xlsx,gpkg", "report html+xlsx+gpkg, ten years", "<= 3 s"),
            ("html,pdf", "report html+pdf, ten years", "PDF step <= 2 s"),
        ):
            res: dict[str, list[dict]] = {"ours": [], "baseline": []}
            for who, src in (("ours", ours_src), ("baseline", base_report)):
                for k in range(runs):
                    res[who].append(
                        _run(_REPORT, [str(db10), str(tmpd / f"r-{who}-{k}"), fmts], src)
                    )
            for who in ("ours", "baseline"):
                rr = res[who]
                if "pdf" in fmts:
                    xs = [r["steps"]["pdf"] - r["steps"]["html"] for r in rr if "pdf" in r["files"]]
                    if not xs:
                        print(f"{label}, {who}: PDF skipped ({rr[0]['skipped']})")
                        continue
                    print(_summary(f"{label}, {who}: PDF step", xs))
                else:
                    print(
                        _summary(f"{label}, {who}: build_report", [r["steps"]["gpkg"] for r in rr])
                    )
                    print(
                        _summary(
                            f"{label}, {who}: process (imports included)",
                            [r["seconds"] for r in rr],
                        )
                    )
                    print(
                        f"  {who} steps (last run): "
                        + ", ".join(f"{k} at {v:.2f} s" for k, v in rr[-1]["steps"].items())
                    )
            if "pdf" in fmts:
                xo = [
                    r["steps"]["pdf"] - r["steps"]["html"]
                    for r in res["ours"]
                    if "pdf" in r["files"]
                ]
                xb = [
                    r["steps"]["pdf"] - r["steps"]["html"]
                    for r in res["baseline"]
                    if "pdf" in r["files"]
                ]
                if xo and xb:
                    print(f"  ratio baseline/ours {_ratio(xb, xo)}  (target {target})")
            else:
                print(
                    f"  ratio baseline/ours (build_report) "
                    f"{_ratio([r['steps']['gpkg'] for r in res['baseline']], [r['steps']['gpkg'] for r in res['ours']])}"
                    f"  (target {target})"
                )
    try:
        print(f"load average at end: {os.getloadavg()[0]:.1f}")
    except OSError:
        pass


if __name__ == "__main__":
    main(sys.argv[1:])

"""Where the PDF step's time goes (issue 17): the report printed by Chromium, against the same
Chromium printing a one-line page (start-up alone) and the report without its inline SVG.

``python -m benchmarks pdf [--db=PATH] [--runs=N] [--quick]``: the report.html of ``--db``
(opened read-only; default: the demo, built in a temporary folder) is written once, then each
variant is printed ``--runs`` times (default 2; 1 with ``--quick``). Wall time and Chromium's CPU
time are printed; Chromium runs with ``--no-zygote`` here so that its renderer is a waited-for
child and its CPU time is counted (with the zygote, ``RUSAGE_CHILDREN`` misses the renderer and
shows about a third of the real CPU time). The PDF is checked (``verify_pdf``: %%EOF, pages).
"""

from __future__ import annotations

import re
import resource
import statistics
import tempfile
import time
from pathlib import Path


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _html(db: str | None, out: Path) -> Path:
    from grannskap.report.build import build_report
    from grannskap.store import connect

    if db is None:
        from grannskap.demo import build_demo

        path = out / "demo.duckdb"
        con = connect(path)
        build_demo(con)
        con.close()
        db = str(path)
    con = connect(Path(db), read_only=True)
    try:
        build_report(con, out / "r", kommun="1490", lang="sv", formats=("html",), demo=db is None)
    finally:
        con.close()
    return out / "r" / "report.html"


def main(argv: list[str]) -> None:
    import grannskap.report.pdf as pdf

    if pdf.find_chromium() is None:
        print("Chromium not found: PDF benchmark skipped")
        return
    opts = dict(a[2:].split("=", 1) for a in argv if a.startswith("--") and "=" in a)
    runs = int(opts.get("runs", 1 if "--quick" in argv else 2))
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        out = Path(tmp)
        html = _html(opts.get("db"), out)
        text = html.read_text(encoding="utf-8")
        (out / "nosvg.html").write_text(re.sub(r"<svg.*?</svg>", "", text, flags=re.S), "utf-8")
        (out / "tiny.html").write_text("<!doctype html><title>x</title><p>x</p>", "utf-8")
        args = pdf.CHROMIUM_ARGS
        pdf.CHROMIUM_ARGS = (*args, "--no-zygote")  # so that the renderer's CPU is counted
        try:
            for label, page in (
                ("report", html),
                ("report without inline SVG", out / "nosvg.html"),
                ("one-line page (start-up)", out / "tiny.html"),
            ):
                walls, cpus, pages = [], [], 0
                for i in range(runs):
                    c0, t0 = _cpu(), time.perf_counter()
                    target = pdf.html_to_pdf(page, out / f"{i}.pdf")
                    walls.append(time.perf_counter() - t0)
                    cpus.append(_cpu() - c0)
                    pages = pdf.verify_pdf(target)
                print(
                    f"{label:28s} wall {statistics.median(walls):5.2f} s "
                    f"({min(walls):.2f}-{max(walls):.2f}), Chromium CPU "
                    f"{statistics.median(cpus):5.2f} s, {pages} pages, {runs} runs",
                    flush=True,
                )
        finally:
            pdf.CHROMIUM_ARGS = args

"""Run the benchmarks: ``python -m benchmarks [NAME ...] [--quick]``.

Each ``benchmarks/bench_<name>.py`` exposes ``main(argv: list[str]) -> None`` that runs the
peer and ours in the same process on the same data, prints the figures and the ratio.
Record the latest figures in ``BENCHMARKS.md``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(
        m.name[len("bench_") :]
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("bench_")
    )
    chosen = [a for a in argv if not a.startswith("-")] or names
    flags = [a for a in argv if a.startswith("-")]
    unknown = sorted(set(chosen) - set(names))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; available: {names}", file=sys.stderr)
        return 2
    for name in chosen:
        print(f"=== benchmark: {name} ===", flush=True)
        importlib.import_module(f"benchmarks.bench_{name}").main(flags)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

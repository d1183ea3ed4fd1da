"""Fuzzing the importers at volume (issue 7): every malformed input is rejected with a
grannskap error naming the file, never a traceback or a hang. ``-m slow`` runs thousands of
inputs per format and prints the tally recorded in RELIABILITY.md; the default run a few.

Inputs are mutations of REAL files (byte flips, truncation, splices, cell edits) plus random
structures, so they reach deep into the parsers rather than failing at the first byte.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from grannskap.errors import GrannskapError
from grannskap.ingest.importer import import_file
from grannskap.store import connect

SEEDS = {
    ".csv": [
        "scb_koppling/koppling_deso2018_regso2020.csv",
        "boras_1490_regso_deso_overview.csv",
        "polisen_utsatta_omraden/police_lists_national_counts_and_boras.csv",
        "polisen_utsatta_omraden/uso_2025_attributes_all65.csv",
    ],
    ".geojson": ["polisen_utsatta_omraden/uso_2023_boras_only_epsg3006.geojson"],
    ".xlsx": ["scb_deso_2022/000005FE_20240813-152154.xlsx"],
}


def _mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    op = rng.randrange(5)
    if op == 0 and b:  # flip bytes
        for _ in range(rng.randint(1, 20)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif op == 1:  # truncate
        b = b[: rng.randrange(len(b) + 1)]
    elif op == 2 and b:  # duplicate a slice (duplicate keys, repeated rows)
        i, j = sorted(rng.randrange(len(b)) for _ in range(2))
        b[j:j] = b[i:j]
    elif op == 3 and b:  # overwrite a slice with SCB markers / odd tokens
        token = rng.choice(
            [b"..", b"-", b"x", b"-5", b"1e999", b"NaN", b"\xff\xfe", b";;", b'"', b"\n\n"]
        )
        i = rng.randrange(len(b))
        b[i : i + len(token)] = token
    else:  # delete a slice
        i, j = sorted(rng.randrange(len(b) + 1) for _ in range(2))
        del b[i:j]
    return bytes(b)


def _mutate_csv_text(data: bytes, rng: random.Random) -> bytes:
    lines = data.decode("utf-8-sig", errors="replace").splitlines()
    if not lines:
        return b""
    i = rng.randrange(len(lines))
    cells = lines[i].split(",")
    j = rng.randrange(len(cells))
    cells[j] = rng.choice(
        ["", "..", "-1", "abc", "1490C9999", "99999", "NOTACODE", cells[j] * 2, '"']
    )
    lines[i] = ",".join(cells)
    if rng.random() < 0.2:
        lines.insert(rng.randrange(len(lines) + 1), lines[rng.randrange(len(lines))])
    return "\n".join(lines).encode()


def fuzz(
    shared: Path, tmp: Path, per_format: int, seed: int = 7, xlsx_share: float = 1.0
) -> dict[str, dict[str, int]]:
    rng = random.Random(seed)
    tally: dict[str, dict[str, int]] = {}
    for suffix, files in SEEDS.items():
        originals = [(shared / f).read_bytes() for f in files]
        t = {"inputs": 0, "accepted": 0, "rejected_clearly": 0, "crashes": 0, "slowest_ms": 0}
        n = per_format if suffix != ".xlsx" else max(1, int(per_format * xlsx_share))
        for k in range(n):
            data = rng.choice(originals)
            mutated = (
                _mutate_csv_text(data, rng)
                if suffix == ".csv" and rng.random() < 0.5
                else _mutate(data, rng)
            )
            path = tmp / f"f{k}{suffix}"
            path.write_bytes(mutated)
            con = connect(":memory:")
            t0 = time.perf_counter()
            try:
                import_file(con, path)
                t["accepted"] += 1
            except GrannskapError as exc:
                lines = exc.lines()
                if not lines or not all(isinstance(x, str) and x for x in lines):
                    t["crashes"] += 1
                t["rejected_clearly"] += 1
            except Exception as exc:  # noqa: BLE001 - a crash is what we count
                t["crashes"] += 1
                print(f"CRASH {suffix} #{k}: {type(exc).__name__}: {exc}")
            t["slowest_ms"] = max(t["slowest_ms"], int((time.perf_counter() - t0) * 1000))
            t["inputs"] += 1
            con.close()
            path.unlink()
        tally[suffix] = t
    return tally


def test_fuzz_smoke(shared_data: Path, tmp_path: Path) -> None:
    tally = fuzz(shared_data, tmp_path, per_format=15)
    assert all(t["crashes"] == 0 for t in tally.values()), tally


@pytest.mark.slow
@pytest.mark.timeout(7200)
def test_fuzz_volume(shared_data: Path, tmp_path: Path) -> None:
    tally = fuzz(
        shared_data, tmp_path, per_format=3000, seed=2026, xlsx_share=0.1
    )  # an xlsx parse takes ~1 s
    for suffix, t in tally.items():
        print(f"\n{suffix}: {t}")
    assert all(t["crashes"] == 0 for t in tally.values()), tally

"""Reading one partition of person-year data into numpy (the Dask engine's task input).

A :class:`Part` is a run of Parquet row groups of one file or a byte block of a CSV file;
:func:`read_batch` reads only the schema columns a task needs, casts them the way DuckDB does
(CSV: every column as text, then cast, so the same values give the same errors), and derives
the 1 km ``grid_cell`` from ``x``/``y`` where the file has coordinates but no cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grannskap.errors import InputError, Problem
from grannskap.register.engine import GRID_SIZE
from grannskap.register.expr import Batch, Cat
from grannskap.register.schema import GRID_FACTOR, REGISTER_COLUMNS

__all__ = ["Part", "read_batch"]


@dataclass(frozen=True)
class Part:
    """One partition: a file and either Parquet row groups or a CSV byte block."""

    path: str
    fmt: str
    year: int | None
    file_columns: tuple[str, ...]
    row_groups: tuple[int, ...] = ()
    csv_block: tuple[int, int] | None = None  # (offset, length) in bytes


_MALLOC_TUNED = False


def _tune_malloc() -> None:
    """Let this worker process reuse freed memory for the next partition's arrays.

    Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which also freezes
    glibc's mmap threshold: every large numpy temporary is then mmapped afresh and page-faulted
    in, and half of a task's CPU time goes to the kernel (measured: ~50 % system time). Raising
    both thresholds (glibc only; a no-op elsewhere) keeps up to 256 MB of freed memory in the
    process — still bounded, and the partition arrays are reused.
    """
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 * 2**20)  # M_MMAP_THRESHOLD: the largest value glibc accepts
        libc.mallopt(-1, 256 * 2**20)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass


# ------------------------------------------------------------------------- reading batches
def _to_float(col: Any) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    if (
        pa.types.is_string(col.type)
        or pa.types.is_large_string(col.type)
        or pa.types.is_dictionary(col.type)
    ):
        col = pc.cast(
            col.cast(pa.string()) if pa.types.is_dictionary(col.type) else col, pa.float64()
        )
    return np.asarray(pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def _to_cat(col: Any) -> Cat:
    import pyarrow as pa

    if not pa.types.is_dictionary(col.type):
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            col = col.cast(pa.string())
        col = col.dictionary_encode()
    col = col.unify_dictionaries() if hasattr(col, "unify_dictionaries") else col
    chunks = col.chunks if hasattr(col, "chunks") else [col]
    if not chunks:
        return Cat(np.empty(0, np.int64), np.empty(0, dtype=object))
    categories = np.asarray(chunks[0].dictionary.to_pylist(), dtype=object)
    codes = np.concatenate(
        [
            np.asarray(ch.indices.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
            for ch in chunks
        ]
    )
    return Cat(codes, categories)


def _read_table(part: Part, columns: list[str]) -> Any:
    import io

    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    present = [c for c in columns if c in part.file_columns]
    if part.fmt == "parquet":
        strings = [c for c in present if REGISTER_COLUMNS[c] == "str"]
        pf = pq.ParquetFile(part.path, read_dictionary=strings)
        # one thread per task: the workers are the parallelism (no oversubscription)
        return pf.read_row_groups(list(part.row_groups), columns=present, use_threads=False)
    offset, length = part.csv_block or (0, -1)
    with open(part.path, "rb") as fh:
        header = fh.readline()
        if offset:
            fh.seek(offset)
        data = fh.read(length) if length >= 0 else fh.read()
    body = header + data if offset else data
    # every column as text, then cast like DuckDB's all_varchar + CAST: same values, same errors
    all_text = {c: pa.string() for c in part.file_columns}
    opts = pcsv.ConvertOptions(
        column_types=all_text, include_columns=present, strings_can_be_null=True
    )
    return pcsv.read_csv(io.BytesIO(body), convert_options=opts)


def read_batch(part: Part, columns: Sequence[str]) -> Batch:
    """Read the given schema columns of one partition (missing columns are all-missing)."""
    import pyarrow as pa

    _tune_malloc()
    need = set(columns)
    grid_from_xy = "grid_cell" in need and {"x", "y"} <= set(part.file_columns)
    if grid_from_xy:
        need |= {"x", "y"}
    read = [c for c in REGISTER_COLUMNS if c in need and c != "year"] + (
        ["year"] if "year" in need else []
    )
    try:
        table = _read_table(part, read)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(
            Problem(part.path, "register partition cannot be read", value=str(exc))
        ) from exc
    n = table.num_rows
    out: dict[str, np.ndarray | Cat] = {}
    for c in read:
        if c in table.column_names:
            col = table.column(c)
            try:
                out[c] = _to_cat(col) if REGISTER_COLUMNS[c] == "str" else _to_float(col)
            except (pa.ArrowInvalid, ValueError) as exc:
                raise InputError(
                    Problem(part.path, "value of the wrong type", column=c, value=str(exc)[:200])
                ) from exc
        elif c == "year" and part.year is not None:
            out[c] = np.full(n, float(part.year))
        elif REGISTER_COLUMNS[c] == "str":
            out[c] = Cat(np.full(n, -1, dtype=np.int64), np.empty(0, dtype=object))
        else:
            out[c] = np.full(n, np.nan)
    if grid_from_xy:
        x, y = np.asarray(out["x"], dtype=float), np.asarray(out["y"], dtype=float)
        derived = (
            np.floor(x / GRID_SIZE) * GRID_SIZE * GRID_FACTOR + np.floor(y / GRID_SIZE) * GRID_SIZE
        )
        grid = out["grid_cell"]
        out["grid_cell"] = np.where(np.isnan(grid), derived, grid)  # type: ignore[arg-type]
    return Batch(out, n)

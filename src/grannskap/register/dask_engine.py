"""The Dask engine: the same primitives as DuckDB, run partition by partition on a cluster.

A *partition* is a run of Parquet row groups of one file (at most ``partition_rows`` rows) or a
block of a CSV file; each task reads only the columns it needs, evaluates the conditions with
numpy and returns small partial results (counts per group, histograms), which are summed in a
tree. Worker memory is therefore bounded by the partition size, not by the data.

Exact medians and quantiles (radix select)
------------------------------------------
:mod:`grannskap.register._radix` finds the order statistics a median or quantile needs by a
radix select over order-preserving 64-bit keys: one histogram pass of the keys' top 16 bits per
year, then usually one pass that gathers the few values of the bins holding the wanted ranks
(all ranks of all years at once). Every step is integer counting, so the result is exact; the
median ``0.5 * lo + 0.5 * hi`` and the quantiles (:func:`grannskap.register.engine.interpolate`)
are combined from the order statistics by the same code as on DuckDB, so bit-identical.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from grannskap._compat import import_optional_dependency
from grannskap.register._radix import (
    _from_key,
    _hist_part,  # noqa: F401  (task bodies timed by benchmarks/bench_register.py)
    _top_hist_part,  # noqa: F401
    order_statistics,
    sortable_keys,
)
from grannskap.register.engine import (
    DuplicateInfo,
    OrderStatisticsMixin,
    OrderStats,
    _normalise_keys,
    quantile_ranks,
)
from grannskap.register.expr import Batch, Cat, Cond, columns_of, evaluate, with_missing
from grannskap.register.neighbourhoods import dask_count_cells, dask_engine_map
from grannskap.register.partitions import Part, _read_table, read_batch
from grannskap.register.schema import REGISTER_COLUMNS, RegisterSource

__all__ = ["DaskEngine", "Part", "read_batch", "sortable_keys", "_from_key"]

_FANIN = 8


# ------------------------------------------------------------------------------- task bodies
def _codes(arr: np.ndarray | Cat) -> tuple[np.ndarray, Any]:
    if isinstance(arr, Cat):
        return arr.codes, arr.categories
    if len(arr) and not np.isnan(arr[0]) and (arr == arr[0]).all():  # e.g. the year of a hive file
        return np.zeros(len(arr), dtype=np.int64), np.asarray([arr[0]])
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniques)


Query = tuple[tuple[str, ...], tuple[tuple[str, Cond], ...]]  # (group keys, named conditions)


Partial = tuple[list[np.ndarray], np.ndarray]
"""Counts of one partition: key arrays (text: object with ``None``; numbers: float with NaN
for missing) and an int64 matrix, one row per group and one column per counter. Plain numpy
arrays pickle fast between processes, unlike frames with nullable columns."""


def _count_batch(
    batch: Batch,
    by: tuple[str, ...],
    counters: tuple[tuple[str, Cond], ...],
    cache: dict[Cond, np.ndarray],
) -> Partial:
    masks = [evaluate(cond, batch, cache) for _, cond in counters]
    if not by:
        return [], np.array([[int(m.sum()) for m in masks]], dtype=np.int64).reshape(1, -1)
    gid = np.zeros(batch.n, dtype=np.int64)
    decoded = []
    for k in by:
        codes, uniques = _codes(batch[k])
        gid = gid * (len(uniques) + 1) + (codes + 1)
        decoded.append((len(uniques) + 1, uniques))
    inv, ugid = pd.factorize(gid)
    keys: list[np.ndarray] = []
    rest = np.asarray(ugid, dtype=np.int64)
    for size, uniques in reversed(decoded):
        code = rest % size - 1
        rest = rest // size
        if uniques.dtype == object:
            keys.append(with_missing(uniques)[code])  # code -1 -> None (missing)
        else:
            keys.append(np.append(np.asarray(uniques, dtype=np.float64), np.nan)[code])
    keys.reverse()
    counts = np.empty((len(ugid), len(masks)), dtype=np.int64)
    for j, m in enumerate(masks):
        # float weights of 0/1 sum exactly (far below 2**53) and are faster than inv[m]
        counts[:, j] = np.bincount(inv, weights=m, minlength=len(ugid))
    return keys, counts


def _count_part(part: Part, queries: tuple[Query, ...]) -> list[Partial]:
    """Read a partition once and answer several group-by counts from it."""
    cols: set[str] = set()
    for by, counters in queries:
        cols |= set(by).union(*(columns_of(c) for _, c in counters))
    batch = read_batch(part, sorted(cols))
    cache: dict[Cond, np.ndarray] = {}
    return [_count_batch(batch, by, counters, cache) for by, counters in queries]


def _sum_counts(parts: list[list[Partial]], queries: tuple[Query, ...]) -> list[Partial]:
    out: list[Partial] = []
    for i, (by, _) in enumerate(queries):
        counts = np.concatenate([p[i][1] for p in parts])
        if not by:
            out.append(([], counts.sum(axis=0, keepdims=True)))
            continue
        keys = [np.concatenate([p[i][0][j] for p in parts]) for j in range(len(by))]
        gid = np.zeros(len(counts), dtype=np.int64)
        for arr in keys:
            codes, uniques = pd.factorize(arr, use_na_sentinel=False)  # missing is a group
            gid = gid * (len(uniques) + 1) + codes
        inv, ugid = pd.factorize(gid)
        first = np.empty(len(ugid), dtype=np.int64)
        first[inv[::-1]] = np.arange(len(inv) - 1, -1, -1)
        summed = np.empty((len(ugid), counts.shape[1]), dtype=np.int64)
        for j in range(counts.shape[1]):
            summed[:, j] = np.bincount(inv, weights=counts[:, j], minlength=len(ugid))
        out.append(([arr[first] for arr in keys], summed))
    return out


def _to_frame(partial: Partial, by: Sequence[str], names: Sequence[str]) -> pd.DataFrame:
    keys, counts = partial
    frame: dict[str, Any] = {}
    for k, arr in zip(by, keys, strict=True):
        if k == "deso":
            frame[k] = pd.array(arr, dtype="string")
        else:
            frame[k] = pd.array(arr, dtype="Float64").astype("Int64")
    for j, name in enumerate(names):
        frame[name] = counts[:, j]
    return pd.DataFrame(frame)


def _ids_part(part: Part) -> dict[int, np.ndarray]:
    import pyarrow as pa

    table = _read_table(
        part, ["person_id", "year"] if "year" in part.file_columns else ["person_id"]
    )
    ids = np.asarray(table.column("person_id").cast(pa.int64()).to_numpy(zero_copy_only=False))
    if part.year is not None and "year" not in table.column_names:
        return {int(part.year): ids}
    years = np.asarray(table.column("year").cast(pa.int64()).to_numpy(zero_copy_only=False))
    return {int(y): ids[years == y] for y in np.unique(years)}


def _dups_year(
    parts: list[dict[int, np.ndarray]], year: int, n_examples: int
) -> tuple[int, int, pd.DataFrame]:
    ids = np.sort(np.concatenate([p.get(year, np.empty(0, np.int64)) for p in parts]))
    uniq, counts = np.unique(ids, return_counts=True)
    dup = counts > 1
    ex = pd.DataFrame(
        {"person_id": uniq[dup][:n_examples], "year": year, "count": counts[dup][:n_examples]}
    )
    return int(dup.sum()), int((counts[dup] - 1).sum()), ex


def _examples_part(part: Part, cond: Cond, n: int) -> pd.DataFrame:
    batch = read_batch(part, list(REGISTER_COLUMNS))
    idx = np.flatnonzero(evaluate(cond, batch))[:n]
    frame = {}
    for c, arr in batch.columns.items():
        frame[c] = arr.labels(idx) if isinstance(arr, Cat) else arr[idx]
    return pd.DataFrame(frame)


# ------------------------------------------------------------------------------------ engine
class DaskEngine(OrderStatisticsMixin):
    """Run the register primitives on Dask (an existing scheduler or a LocalCluster).

    Parameters
    ----------
    scheduler
        Address of a running scheduler (``tcp://host:8786``) or a ``distributed.Client``;
        ``None`` starts a LocalCluster.
    workers
        Workers of the LocalCluster (single-threaded each; ignored with ``scheduler``).
    processes
        LocalCluster workers as processes (default) or threads in this process.
    partition_rows
        Upper bound of rows per task (Parquet row groups are grouped up to it).
    gather_limit
        Largest number of values gathered to the client in the exact median/quantile search.
    """

    name = "dask"

    def __init__(
        self,
        scheduler: Any = None,
        *,
        workers: int = 2,
        processes: bool = True,
        memory_limit: str | None = None,
        partition_rows: int = 2_000_000,
        csv_block_bytes: int = 128 * 2**20,
        gather_limit: int = 4_000_000,
    ) -> None:
        self._dask = import_optional_dependency("dask", "dask")
        distributed = import_optional_dependency("distributed", "dask")
        self._cluster = None
        if scheduler is None:
            self._cluster = distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=processes,
                memory_limit=memory_limit or "auto",
                dashboard_address=None,
            )
            self.client = distributed.Client(self._cluster)
            self._own_client = True
        elif isinstance(scheduler, distributed.Client):
            self.client, self._own_client = scheduler, False
        else:
            self.client, self._own_client = distributed.Client(scheduler), True
        self.partition_rows = int(partition_rows)
        self.csv_block_bytes = int(csv_block_bytes)
        self.gather_limit = int(gather_limit)

    # -- partitions ----------------------------------------------------------------------
    def partitions(self, source: RegisterSource) -> list[Part]:
        import os

        import pyarrow.parquet as pq

        parts: list[Part] = []
        for f in source.files:
            cols = tuple(f.columns)
            if source.format == "parquet":
                meta = pq.read_metadata(f.path)
                run: list[int] = []
                rows = 0
                for rg in range(meta.num_row_groups):
                    nrg = meta.row_group(rg).num_rows
                    if run and rows + nrg > self.partition_rows:
                        parts.append(Part(f.path, "parquet", f.year, cols, tuple(run)))
                        run, rows = [], 0
                    run.append(rg)
                    rows += nrg
                if run or not parts:
                    parts.append(Part(f.path, "parquet", f.year, cols, tuple(run)))
            else:
                parts.extend(self._csv_blocks(f.path, f.year, cols, os.path.getsize(f.path)))
        return parts

    def _csv_blocks(
        self, path: str, year: int | None, cols: tuple[str, ...], size: int
    ) -> list[Part]:
        with open(path, "rb") as fh:
            start = len(fh.readline())
            cuts = [start]
            while cuts[-1] + self.csv_block_bytes < size:
                fh.seek(cuts[-1] + self.csv_block_bytes)
                fh.readline()  # cut at the next line end
                pos = fh.tell()
                if pos >= size:
                    break
                cuts.append(pos)
        cuts.append(size)
        return [
            Part(path, "csv", year, cols, (), (a, b - a))
            for a, b in zip(cuts, cuts[1:], strict=False)
            if b > a
        ]

    def _tree(self, leaves: list[Any], combine: Any, *args: Any) -> Any:
        """Combine partial results in a tree of fan-in 8 (always at least one combine)."""
        delayed = self._dask.delayed
        leaves = [
            delayed(combine)(leaves[i : i + _FANIN], *args) for i in range(0, len(leaves), _FANIN)
        ]
        while len(leaves) > 1:
            leaves = [
                delayed(combine)(leaves[i : i + _FANIN], *args)
                for i in range(0, len(leaves), _FANIN)
            ]
        return leaves[0]

    def _compute(self, obj: Any) -> Any:
        return self._dask.compute(obj, scheduler=self.client)[0]

    # -- primitives ----------------------------------------------------------------------
    def count(
        self, source: RegisterSource, by: Sequence[str], counters: Mapping[str, Cond]
    ) -> pd.DataFrame:
        return self.count_many(source, [(by, counters)])[0]

    def count_many(
        self, source: RegisterSource, queries: Sequence[tuple[Sequence[str], Mapping[str, Cond]]]
    ) -> list[pd.DataFrame]:
        """Several group-by counts in one pass over the data (each partition is read once)."""
        delayed = self._dask.delayed
        qs: tuple[Query, ...] = tuple((tuple(by), tuple(c.items())) for by, c in queries)
        leaves = [delayed(_count_part)(p, qs) for p in self.partitions(source)]
        results = self._compute(self._tree(leaves, _sum_counts, qs))
        out = []
        for (by, counters), partial in zip(queries, results, strict=True):
            frame = _to_frame(partial, list(by), list(counters))
            out.append(_normalise_keys(frame, by) if by else frame)
        return out

    def order_statistics(
        self, source: RegisterSource, column: str, probs: Sequence[float]
    ) -> OrderStats:
        """Per year ``n`` and the order statistics at the ranks of ``probs`` (radix select)."""

        def ranks(n: int) -> list[int]:
            return [k for p in probs for k in quantile_ranks(n, p)[:2]]

        return order_statistics(self, source, column, ranks)

    def duplicates(self, source: RegisterSource, n_examples: int = 5) -> DuplicateInfo:
        delayed = self._dask.delayed
        parts = self.partitions(source)
        if all(p.year is not None and "year" not in p.file_columns for p in parts):
            groups: dict[int, list[Part]] = {}
            for p in parts:
                groups.setdefault(int(p.year), []).append(p)  # type: ignore[arg-type]
            jobs = [
                delayed(_dups_year)([delayed(_ids_part)(p) for p in ps], y, n_examples)
                for y, ps in groups.items()
            ]
        else:
            years = (
                self.count(source, ["year"], {"n": _notnull("person_id")})["year"]
                .dropna()
                .astype(int)
            )
            leaves = [delayed(_ids_part)(p) for p in parts]
            jobs = [delayed(_dups_year)(leaves, int(y), n_examples) for y in years]
        res = self._compute(jobs)
        keys = sum(r[0] for r in res)
        extra = sum(r[1] for r in res)
        ex = pd.concat([r[2] for r in res], ignore_index=True) if res else pd.DataFrame()
        ex = ex.sort_values(["year", "person_id"]).head(n_examples) if len(ex) else ex
        cols = ["person_id", "year", "count"]
        ex = ex.reindex(columns=cols).astype("Int64").reset_index(drop=True)
        return DuplicateInfo(int(keys), int(extra), ex)

    def examples(self, source: RegisterSource, cond: Cond, n: int = 5) -> pd.DataFrame:
        delayed = self._dask.delayed
        res = self._compute([delayed(_examples_part)(p, cond, n) for p in self.partitions(source)])
        frames = [r for r in res if len(r)]
        return pd.concat(frames, ignore_index=True).head(n) if frames else res[0].head(0)

    # neighbourhood primitives live in grannskap.register.neighbourhoods (this module is full)
    count_cells = dask_count_cells
    map = dask_engine_map

    def close(self) -> None:
        if self._own_client:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _notnull(column: str) -> Cond:
    from grannskap.register.expr import NotNull

    return NotNull(column)

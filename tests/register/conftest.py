"""Fixtures for the register tests: small SYNTHETIC registers and one shared Dask cluster.

The Dask cluster is a LocalCluster with 2 workers as threads in this process
(``processes=False``) so that the default test run stays fast; the slow-marked test repeats the
engine comparison with 2 worker processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grannskap.register.schema import RegisterSource, open_source
from grannskap.register.synth import synthesize


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """4,000 SYNTHETIC persons x 3 years, several files and row groups per year."""
    out = tmp_path_factory.mktemp("register") / "synth"
    synthesize(out, 4000, 3, seed=11, rows_per_file=1500, row_group_size=500)
    return out


@pytest.fixture(scope="session")
def synth_source(synth_dir: Path) -> RegisterSource:
    return open_source(synth_dir)


@pytest.fixture(scope="session")
def dask_client() -> Iterator[object]:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture()
def dask_engine(dask_client: object) -> Iterator[object]:
    from grannskap.register.dask_engine import DaskEngine

    # small partitions and a tiny gather limit: many tasks, deep radix descent
    engine = DaskEngine(dask_client, partition_rows=700, gather_limit=50)
    yield engine
    engine.close()


@pytest.fixture()
def duck() -> Iterator[object]:
    from grannskap.register.engine import DuckDBEngine

    engine = DuckDBEngine(threads=2)
    yield engine
    engine.close()

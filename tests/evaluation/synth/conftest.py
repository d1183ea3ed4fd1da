"""Fixtures for the synthetic-control tests: public replication files in shared/data.

Sources (see ``shared/data/README.md``): Abadie & Gardeazabal (2003) Basque panel, Abadie,
Diamond & Hainmueller (2010) Proposition 99 panel and (2015) German reunification panel, as
carried by the pysyncon repository.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


def _read(shared_data: Path, name: str) -> pd.DataFrame:
    path = shared_data / "evaluation_reference" / name
    if not path.is_file():
        pytest.skip(f"replication file not found at {path}")
    return pd.read_csv(path)


@pytest.fixture(scope="session")
def basque(shared_data: Path) -> pd.DataFrame:
    return _read(shared_data, "basque.csv")


@pytest.fixture(scope="session")
def smoking(shared_data: Path) -> pd.DataFrame:
    return _read(shared_data, "smoking_prop99.csv")


@pytest.fixture(scope="session")
def germany(shared_data: Path) -> pd.DataFrame:
    return _read(shared_data, "germany.csv")

"""Fixtures for the evaluation tests: the public replication data in shared/data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

CK_COLUMNS = (
    "SHEET CHAIN CO_OWNED STATE SOUTHJ CENTRALJ NORTHJ PA1 PA2 SHORE NCALLS EMPFT EMPPT NMGRS "
    "WAGE_ST INCTIME FIRSTINC BONUS PCTAFF MEALS OPEN HRSOPEN PSODA PFRY PENTREE NREGS NREGS11 "
    "TYPE2 STATUS2 DATE2 NCALLS2 EMPFT2 EMPPT2 NMGRS2 WAGE_ST2 INCTIME2 FIRSTIN2 SPECIAL2 MEALS2 "
    "OPEN2R HRSOPEN2 PSODA2 PFRY2 PENTREE2 NREGS2 NREGS112"
).split()


@pytest.fixture(scope="session")
def eval_ref(shared_data: Path) -> Path:
    path = shared_data / "evaluation_reference"
    if not path.is_dir():
        pytest.skip(f"evaluation reference data not found at {path}")
    return path


@pytest.fixture(scope="session")
def mpdta(eval_ref: Path) -> pd.DataFrame:
    """R did's ``mpdta`` (500 counties x 2003-2007), via d2cml-ai/csdid ``data/mpdta.csv``."""
    return pd.read_csv(eval_ref / "mpdta.csv")


@pytest.fixture(scope="session")
def card_krueger(eval_ref: Path) -> pd.DataFrame:
    """Card & Krueger (1994) public file in long form with FTE = full-time + managers + 0.5 part-time.

    Columns per the codebook ``card_krueger_codebook.txt``; ``store`` is the row number
    (``SHEET`` is not unique in the public file).
    """
    d = pd.read_csv(
        eval_ref / "card_krueger_public.dat",
        sep=r"\s+",
        header=None,
        names=CK_COLUMNS,
        na_values=".",
    )
    d["store"] = np.arange(len(d))
    fte1 = d.EMPFT + d.NMGRS + 0.5 * d.EMPPT
    fte2 = d.EMPFT2 + d.NMGRS2 + 0.5 * d.EMPPT2
    long = pd.concat([d.assign(post=0, fte=fte1), d.assign(post=1, fte=fte2)])
    return long[["store", "STATE", "post", "fte"]].rename(columns={"STATE": "nj"})

"""The SYNTHETIC register generator: labelled as synthetic, and with the structure it promises.

Reference: the generator's documented properties (segregation, mobility, persistence of
persons, an income distribution with a sixth below 60 % of the median, as SCB reports ~15 %
with low economic standard nationally).
"""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from grannskap.errors import ConfigError
from grannskap.register import synthesize
from grannskap.register.synth import synthetic_deso_codes


def test_labelled_synthetic(synth_dir, synth_source):
    assert (synth_dir / "_SYNTHETIC_DATA.txt").read_text().startswith("SYNTHETIC")
    for f in synth_source.files:
        assert "SYNTHETIC-" in f.path
        meta = pq.read_metadata(f.path).metadata
        assert meta[b"grannskap.synthetic"] == b"true"


def test_structure(synth_dir):
    frame = pd.read_parquet(synth_dir)
    frame["year"] = frame["year"].astype(int)
    frame["deso"] = frame["deso"].astype(str)
    y0, y1 = (frame[frame["year"] == y].set_index("person_id") for y in (2015, 2016))
    both = y0.index.intersection(y1.index)
    assert len(both) / len(y0) > 0.95  # persons persist (deaths/emigration ~1-2 %)
    moved = (y0.loc[both, "deso"] != y1.loc[both, "deso"]).mean()
    assert 0.05 < moved < 0.2  # ~12 % move a year
    assert (y1.loc[both, "age"] - y0.loc[both, "age"]).eq(1).all()
    # segregation: index of dissimilarity foreign vs swedish background across areas
    counts = pd.crosstab(y0["deso"], y0["background"])
    share = counts / counts.sum()
    dissimilarity = 0.5 * (share["foreign"] - share["swedish"]).abs().sum()
    assert dissimilarity > 0.25
    median = y0["disp_income"].median()
    low = (y0["disp_income"] < 0.6 * median).sum() / y0["disp_income"].notna().sum()
    assert 0.08 < low < 0.25


def test_deterministic_and_real_codes(tmp_path):
    codes = synthetic_deso_codes(3, 4)
    a = synthesize(tmp_path / "a", 300, 2, deso_codes=codes, seed=5)
    b = synthesize(tmp_path / "b", 300, 2, deso_codes=codes, seed=5)
    assert a.rows == b.rows
    fa, fb = pd.read_parquet(tmp_path / "a"), pd.read_parquet(tmp_path / "b")
    pd.testing.assert_frame_equal(fa, fb)
    assert set(fa["deso"].astype(str)) <= set(codes)


def test_bad_arguments(tmp_path):
    with pytest.raises(ConfigError, match="positive"):
        synthesize(tmp_path, 0, 2)

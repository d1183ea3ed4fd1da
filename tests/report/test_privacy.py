"""Small-count suppression (grannskap.privacy): SCB's rule that counts below a threshold are shown
as "..". Reference: SCB, "Skydd av statistiska uppgifter" — cells with fewer than a minimum
number of persons are not published."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grannskap.errors import ConfigError
from grannskap.privacy import (
    SUPPRESSED,
    check_threshold,
    default_threshold,
    is_small,
    suppress_frame,
    suppress_share,
)


def test_marker_is_scb_two_dots() -> None:
    assert SUPPRESSED == ".."


def test_share_suppressed_below_threshold_and_shown_at_it() -> None:
    assert suppress_share(4, 100, threshold=5) is None
    assert suppress_share(5, 100, threshold=5) == pytest.approx(0.05)
    assert suppress_share(50, 4, threshold=5) is None  # small denominator
    assert suppress_share(None, 100) is None
    assert suppress_share(float("nan"), 100) is None


def test_zero_is_small_but_missing_is_not() -> None:
    assert is_small(0, 5)
    assert not is_small(None, 5)
    assert not is_small(float("nan"), 5)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "5", True])
def test_bad_threshold_is_rejected_with_the_value(bad: object) -> None:
    with pytest.raises(ConfigError, match="threshold"):
        check_threshold(bad)  # type: ignore[arg-type]


def test_threshold_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRANNSKAP_MIN_COUNT", "10")
    assert default_threshold() == 10
    monkeypatch.setenv("GRANNSKAP_MIN_COUNT", "ten")
    with pytest.raises(ConfigError, match="'ten'"):
        default_threshold()
    monkeypatch.delenv("GRANNSKAP_MIN_COUNT")
    assert default_threshold() == 5


@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), min_size=1, max_size=40),
    st.integers(1, 20),
)
def test_no_shown_share_rests_on_a_small_count(rows: list[tuple[int, int]], threshold: int) -> None:
    frame = pd.DataFrame(rows, columns=["num", "den"])
    out = suppress_frame(frame, "num", "den", threshold=threshold)
    shown = out[~out["suppressed"]]
    assert (frame.loc[shown.index, "num"] >= threshold).all()
    assert (frame.loc[shown.index, "den"] >= threshold).all()
    # suppressed rows keep no count that could be shown later
    hidden = out[out["suppressed"]]
    assert (
        hidden["num"].isna().all() and hidden["den"].isna().all() and hidden["share"].isna().all()
    )
    # shown shares equal num/den
    ok = shown[shown["den"] > 0]
    np.testing.assert_allclose(ok["share"], frame.loc[ok.index, "num"] / frame.loc[ok.index, "den"])
    assert all(math.isnan(v) for v in shown.loc[shown["den"] == 0, "share"])

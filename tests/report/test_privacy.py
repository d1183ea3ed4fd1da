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


# ---- secondary (complementary) suppression ------------------------------------------------------
# Reference for the rule: Hundepool et al., Handbook on Statistical Disclosure Control (ESSnet SDC,
# 2010), ch. 4-5 (https://sdctools.github.io/HandbookSDC/): in an additive table no cell may be the
# only suppressed one of a relation "total = sum of parts", or it equals total minus the parts
# shown; linked/hierarchical tables are coordinated by repeating until stable (ESSnet SDC task 8,
# "backtracking"). The worked examples below are small enough to check by hand.


def _sup(frame: pd.DataFrame, groups: list, threshold: int | None = 5, **kw):  # type: ignore[no-untyped-def]
    from grannskap.privacy import secondary_suppress

    return secondary_suppress(
        frame, kw.pop("value_cols", ["num"]), groups, code_col="deso", threshold=threshold, **kw
    )


def _status(out: pd.DataFrame) -> dict[str, str | None]:
    return dict(zip(out["code"], out["suppression"], strict=True))


def test_one_small_child_gets_exactly_one_complement_the_smallest() -> None:
    # RegSO R1 = a(2) + b(30) + c(12) + d(12): a is small, the complement is the smallest other
    # child: c and d tie at 12, the code breaks the tie -> c.
    f = pd.DataFrame({"deso": ["d", "b", "a", "c"], "regso": "R1", "num": [12, 30, 2, 12]})
    s = _status(_sup(f, ["regso"]))
    assert s == {"a": "primary", "b": None, "c": "secondary", "d": None, "R1": None}


def test_single_child_group_hides_the_total() -> None:
    # R2 has one DeSO: R2 == e, so hiding e means hiding R2; then kommun K = R1 + R2 has one
    # hidden part, so R1 (the only other part) is hidden, and R1 = a + b gets a hidden part too.
    f = pd.DataFrame(
        {"deso": ["a", "b", "e"], "regso": ["R1", "R1", "R2"], "k": "K", "num": [20, 30, 3]}
    )
    f["small"] = f["num"] < 5
    s = _status(_sup(f, ["regso", "k"], threshold=None, suppressed_col="small"))
    assert s["e"] == "primary" and s["R2"] == "secondary"
    assert s["R1"] == "secondary" and s["a"] == "secondary" and s["b"] is None
    assert s["K"] is None


def test_all_children_but_one_suppressed_is_left_alone() -> None:
    f = pd.DataFrame({"deso": list("abc"), "regso": "R", "num": [1, 2, 40]})
    f["small"] = f["num"] < 5
    out = _sup(f, ["regso"], threshold=None, suppressed_col="small")
    assert _status(out) == {"a": "primary", "b": "primary", "c": None, "R": None}


def test_hidden_parts_must_not_sum_to_a_small_count() -> None:
    # a(1) and b(2) are both small: two hidden parts, but together 3 < 5 persons, so R - c - d
    # would reveal a small count; the smallest other part (c) is hidden too.
    f = pd.DataFrame({"deso": list("abcd"), "regso": "R", "num": [1, 2, 10, 40]})
    assert _status(_sup(f, ["regso"])) == {
        "a": "primary",
        "b": "primary",
        "c": "secondary",
        "d": None,
        "R": None,
    }


def test_nothing_is_suppressed_when_every_cell_is_large() -> None:
    rng = np.random.default_rng(1)
    f = pd.DataFrame(
        {
            "deso": [f"d{i:02d}" for i in range(30)],
            "regso": [f"R{i // 5}" for i in range(30)],
            "k": "K",
            "num": rng.integers(5, 500, 30),
            "den": rng.integers(600, 2000, 30),
        }
    )
    out = _sup(f, ["regso", "k"], value_cols=["den", "num"])
    assert not out["suppressed"].any() and out["suppression"].isna().all()
    assert len(out) == 30 + 6 + 1


def test_hierarchy_converges_across_levels() -> None:
    # x=3 and y=1 are primary and so is their RegSO R2 = 4 < 5. K = R1 + R2 has one hidden part -> R1 secondary;
    # R1 = a + b + c then has its total hidden and no hidden part -> smallest part (c) hidden.
    f = pd.DataFrame(
        {
            "deso": list("abcxy"),
            "regso": ["R1", "R1", "R1", "R2", "R2"],
            "k": "K",
            "num": [50, 60, 7, 3, 1],
        }
    )
    s = _status(_sup(f, ["regso", "k"]))
    assert s == {
        "a": None,
        "b": None,
        "c": "secondary",
        "x": "primary",
        "y": "primary",
        "R1": "secondary",
        "R2": "primary",
        "K": None,
    }


def test_order_of_rows_does_not_matter() -> None:
    rng = np.random.default_rng(7)
    f = pd.DataFrame(
        {
            "deso": [f"d{i:02d}" for i in range(40)],
            "regso": [f"R{i % 7}" for i in range(40)],
            "k": "K",
            "num": rng.integers(0, 12, 40),
        }
    )
    ref = _sup(f, ["regso", "k"]).sort_values(["level", "code"]).reset_index(drop=True)
    assert ref["suppression"].eq("secondary").any()  # the case is not trivial
    for seed in range(5):
        shuffled = f.sample(frac=1.0, random_state=seed)
        out = _sup(shuffled, ["regso", "k"]).sort_values(["level", "code"])
        pd.testing.assert_frame_equal(out.reset_index(drop=True), ref)


def test_bad_input_is_rejected_with_the_value() -> None:
    f = pd.DataFrame({"deso": ["a", "b"], "regso": ["R1", "R2"], "s": ["S", "S"], "num": [1, 9]})
    with pytest.raises(ConfigError, match="'nope'"):
        _sup(f, ["nope"])
    g = pd.DataFrame({"deso": ["a", "b"], "regso": ["R1", "R1"], "s": ["S1", "S2"], "num": [1, 9]})
    with pytest.raises(ConfigError, match="R1"):
        _sup(g, ["regso", "s"])


def _equations(out: pd.DataFrame, f: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """(total, parts) of DeSO -> RegSO -> kommun, rebuilt from the input independently."""
    eqs = [(str(r), sorted(g["deso"])) for r, g in f.groupby("regso")]
    eqs.append(("K", sorted(f["regso"].unique())))
    return eqs


@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 30), st.integers(0, 60)),
        min_size=1,
        max_size=30,
    ),
    st.integers(1, 12),
)
def test_no_hidden_value_can_be_recovered_by_subtraction(
    rows: list[tuple[int, int, int]], threshold: int
) -> None:
    """Property: after suppression, (1) no relation total = sum(parts) with a published total
    has exactly one hidden part (total minus the shown parts would give it), (2) no relation
    has exactly one hidden cell at all, (3) the hidden parts of a published total sum to at
    least the threshold, and (4) across ALL relations together no hidden cell is determined
    (linear algebra: its unit vector is not in the row space of the relations restricted to the
    hidden cells)."""
    f = pd.DataFrame(
        {
            "deso": [f"d{i:02d}" for i in range(len(rows))],
            "regso": [f"R{r[0]}" for r in rows],
            "k": "K",
            "num": [r[1] for r in rows],
            "den": [r[1] + r[2] for r in rows],
        }
    )
    out = _sup(f, ["regso", "k"], threshold=threshold, value_cols=["den", "num"])
    hidden = set(out.loc[out["suppressed"], "code"])
    small = out[(out["num"] < threshold) | (out["den"] < threshold)]
    assert set(small["code"]) <= hidden  # primary cells stay hidden
    val = dict(zip(out["code"], out["num"], strict=True))
    eqs = _equations(out, f)
    for total, parts in eqs:
        h = [p for p in parts if p in hidden]
        assert len(h) + (total in hidden) != 1, (total, parts, hidden)
        if total not in hidden and h:
            assert sum(val[p] for p in h) >= threshold
    # (4) joint recoverability over every relation
    hv = sorted(hidden)
    if not hv:
        return
    pos = {c: i for i, c in enumerate(hv)}
    a = np.zeros((len(eqs), len(hv)))
    for i, (total, parts) in enumerate(eqs):
        if total in pos:
            a[i, pos[total]] = 1.0
        for p in parts:
            if p in pos:
                a[i, pos[p]] -= 1.0
    r = np.linalg.matrix_rank(a)
    for c, j in pos.items():
        e = np.zeros(len(hv))
        e[j] = 1.0
        assert np.linalg.matrix_rank(np.vstack([a, e])) > r, f"{c} is determined by the relations"


@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 30)), min_size=1, max_size=30),
    st.lists(st.sampled_from(["S0", "S1", "S2", None]), min_size=6, max_size=6),
    st.integers(1, 12),
)
def test_linked_hierarchies_with_unmapped_areas_leave_nothing_recoverable(
    rows: list[tuple[int, int]], stadsdel: list[str | None], threshold: int
) -> None:
    """The dashboard's shape: DeSO -> RegSO -> stadsdel -> kommun AND RegSO -> kommun, with some
    RegSO in no stadsdel (their sum is kommun minus the stadsdelar, so it is derivable). Checks
    every relation (including kommun = stadsdelar + the unmapped RegSO) for exactly one hidden
    cell, and joint recoverability by rank as above."""
    f = pd.DataFrame(
        {
            "deso": [f"d{i:02d}" for i in range(len(rows))],
            "regso": [f"R{r[0]}" for r in rows],
            "k": "K",
            "num": [r[1] for r in rows],
        }
    )
    f["stadsdel"] = f["regso"].map({f"R{i}": s for i, s in enumerate(stadsdel)})
    out = _sup(f, ["regso", "stadsdel", "k", ("regso", "k")], threshold=threshold)
    assert not out["code"].str.endswith(":rest").any()  # the residual is never printed
    hidden = set(out.loc[out["suppressed"], "code"])
    eqs = [(str(r), list(g["deso"])) for r, g in f.groupby("regso")]
    mapped = f.dropna(subset=["stadsdel"])
    eqs += [(str(s), list(g["regso"].unique())) for s, g in mapped.groupby("stadsdel")]
    unmapped = list(f.loc[f["stadsdel"].isna(), "regso"].unique())
    eqs.append(("K", list(mapped["stadsdel"].unique()) + unmapped))
    eqs.append(("K", list(f["regso"].unique())))
    for total, parts in eqs:
        assert len([p for p in parts if p in hidden]) + (total in hidden) != 1, (total, parts)
    hv = sorted(hidden)
    pos = {c: i for i, c in enumerate(hv)}
    a = np.zeros((len(eqs), len(hv)))
    for i, (total, parts) in enumerate(eqs):
        if total in pos:
            a[i, pos[total]] = 1.0
        for p in parts:
            if p in pos:
                a[i, pos[p]] -= 1.0
    r = np.linalg.matrix_rank(a) if hv else 0
    for c, j in pos.items():
        e = np.zeros(len(hv))
        e[j] = 1.0
        assert np.linalg.matrix_rank(np.vstack([a, e])) > r, f"{c} is determined by the relations"

"""Comparison municipalities that are alike (grannskap.measures.peers, #14 item 7).

Hand-made features with distances worked out by hand from the rule in the module docstring
(z-scores with the population standard deviation; root-mean-square difference), then the
choice on the demo database (SCB's 2022 series per kommun) and the ``--compare`` override.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grannskap.errors import ConfigError
from grannskap.measures.peers import choose_peers, override_peers

FEATURES = pd.DataFrame(
    {
        "kommun": ["A", "B", "C", "D"],
        "x": [0.0, 1.0, 2.0, 3.0],  # mean 1.5, variance 1.25
        "y": [0.0, 2.0, 0.0, 0.0],  # mean 0.5, variance 0.75
    }
)


def test_distances_are_the_rms_of_standardised_differences() -> None:
    choice = choose_peers(FEATURES, "A", k=3)
    assert choice.codes == ["C", "B", "D"]
    d = choice.peers.set_index("kommun")["distance"]
    # by hand: C (2^2/1.25)/2, B (1^2/1.25 + 2^2/0.75)/2, D (3^2/1.25)/2
    assert d["C"] == pytest.approx(math.sqrt(4 / 1.25 / 2), rel=1e-12)
    assert d["B"] == pytest.approx(math.sqrt((1 / 1.25 + 4 / 0.75) / 2), rel=1e-12)
    assert d["D"] == pytest.approx(math.sqrt(9 / 1.25 / 2), rel=1e-12)
    assert choose_peers(FEATURES, "A", k=1).codes == ["C"]


def test_missing_indicators_are_left_out_and_named_ties_by_code() -> None:
    f = FEATURES.assign(
        own_missing=[np.nan, 1.0, 2.0, 3.0],  # the kommun itself lacks it
        sparse=[1.0, np.nan, np.nan, np.nan],  # only a quarter of the kommuner have it
        folkmangd=[100.0, 200.0, 50.0, 100.0],  # log scale: 200 and 50 equally far from 100
    )
    choice = choose_peers(f[["kommun", "folkmangd"]], "A", k=3)
    assert choice.codes == ["D", "B", "C"]  # B and C tie: the code decides
    assert choice.peers["distance"].iloc[1] == pytest.approx(choice.peers["distance"].iloc[2])
    choice = choose_peers(f, "A", k=3)
    assert choice.used == ("x", "y", "folkmangd")
    assert choice.dropped == ("own_missing", "sparse")
    assert "Left out for lack of data: own_missing, sparse" in choice.method("en")


def test_override_keeps_the_users_order_and_refuses_unknown_codes() -> None:
    choice = override_peers(FEATURES, "A", ["D", "B"])
    assert choice.codes == ["D", "B"] and choice.overridden
    assert "--compare" in choice.method("sv") and "--compare" in choice.method("en")
    with pytest.raises(ConfigError, match="--compare"):
        override_peers(FEATURES, "A", ["B", "Z"])
    with pytest.raises(ConfigError, match="--compare"):
        override_peers(FEATURES, "A", ["A"])


# Borås' ten peers on SCB's 2022 series (TAB6572, TAB6258, Tab2InkDesoN; områdestyp computed
# from the shipped DeSO 2022 inputs), as chosen by grannskap on the demo database
BORAS_PEERS = [
    "1281",  # Lund
    "1380",  # Halmstad
    "0581",  # Norrköping
    "0780",  # Växjö
    "0680",  # Jönköping
    "1488",  # Trollhättan
    "0580",  # Linköping
    "1283",  # Helsingborg
    "2180",  # Gävle
    "1980",  # Västerås
]


def test_boras_peers_on_the_demo_database_and_the_override(demo_db: Path) -> None:
    from grannskap.report import data
    from grannskap.report.build import build_context
    from grannskap.report.sections import _common
    from grannskap.store import connect

    con = connect(demo_db, read_only=True)
    try:
        comp = data.comparable_kommuner(con, "1490", 2022)
        again = data.comparable_kommuner(con, "1490", 2022)
        assert list(comp["kommun"]) == list(again["kommun"])  # deterministic
        assert list(comp["kommun"]) == BORAS_PEERS
        assert list(comp["name"][:2]) == ["Lund", "Halmstad"]
        choice = comp.attrs["choice"]
        assert choice.used == (
            "folkmangd",
            "utrikes_fodda",
            "hyresratt",
            "loneinkomst_medel",
            "typ_1_2",
        )
        assert "likhetsutsökning" in choice.method("sv") and "z-score" in choice.method("en")
        # the override (grannskap report --compare 1480,1380) reaches the report's sections
        ctx = build_context(con, "1490", "sv", None, False, ["1480", "1380"])
        group = _common.comparison(ctx)
        assert list(group["kommun"]) == ["1480", "1380"]
        assert list(group["name"]) == ["Göteborg", "Halmstad"]
        assert group.attrs["choice"].overridden
    finally:
        con.close()


def test_report_cli_has_compare() -> None:
    import argparse

    from grannskap.cli import report

    parser = argparse.ArgumentParser()
    report.register(parser.add_subparsers())
    args = parser.parse_args(["report", "--compare", "1480,1380"])
    assert args.compare == "1480,1380"

"""Choice of comparison areas (grannskap.evaluation.controls), on hand-made inputs.

The expected sets are worked out by hand from the rule stated in the docstring: same official
områdestyp as the treated areas (latest year), other municipality, never an area targeted by
another intervention.
"""

from __future__ import annotations

import pandas as pd
import pytest

from grannskap.errors import ConfigError, EstimationError
from grannskap.evaluation.controls import choose_controls
from grannskap.store.queries import EvaluationInputs


def _inputs(types: pd.DataFrame | None = None) -> EvaluationInputs:
    areas = ["1490R001", "1490R002", "1490R003", "1480R001", "1480R002", "1480R003", "0180R001"]
    panel = pd.DataFrame(
        [{"area_code": a, "year": y, "value": 1.0} for a in areas for y in (2018, 2019, 2020)]
    )
    if types is None:
        # 1490R001 (treated) is type 1 in 2020 (type 2 earlier: the latest year counts)
        types = pd.DataFrame(
            {
                "area_code": ["1490R001", "1490R001", "1490R002", "1480R001", "1480R002"]
                + ["1480R003", "0180R001"],
                "year": [2018, 2020, 2020, 2020, 2020, 2020, 2020],
                "omradestyp": [2.0, 1.0, 1.0, 1.0, 2.0, 1.0, 1.0],
            }
        )
    return EvaluationInputs(
        intervention=pd.Series({"intervention_id": "iv"}),
        areas=pd.DataFrame(
            {"area_system": ["regso2020"], "area_code": ["1490R001"], "start_year": [2019]}
        ),
        panel=panel,
        types=types,
        others=pd.DataFrame(
            {
                "intervention_id": ["other"],
                "area_code": ["1480R003"],
                "start_year": [2019],
                "end_year": [None],
            }
        ),
        kommun=pd.DataFrame({"area_code": areas, "kommun_code": [a[:4] for a in areas]}),
        cost=None,
        notes=(),
    )


def test_same_type_elsewhere() -> None:
    chosen, table, notes = choose_controls(_inputs(), "same-type-elsewhere")
    # type 1, not in 1490, not targeted (1480R003 is): 1480R001 and 0180R001
    assert chosen == ["0180R001", "1480R001"]
    assert set(table["reason"]) == {"same official områdestyp (1), other municipality"}
    assert notes == [
        "1 area(s) targeted by other interventions were left out of the comparison group"
    ]


def test_same_type_keeps_own_municipality() -> None:
    chosen, _, _ = choose_controls(_inputs(), "same-type")
    assert chosen == ["0180R001", "1480R001", "1490R002"]


def test_all_and_user_list() -> None:
    chosen, _, _ = choose_controls(_inputs(), "all")
    assert chosen == ["0180R001", "1480R001", "1480R002", "1490R002", "1490R003"]
    chosen, table, _ = choose_controls(_inputs(), " 1480R002, 1490R003 ")
    assert chosen == ["1480R002", "1490R003"]
    assert set(table["reason"]) == {"given by the user (--controls)"}


def test_none_gives_no_controls() -> None:
    chosen, table, _ = choose_controls(_inputs(), "none")
    assert chosen == [] and table.empty


def test_bad_user_list_and_empty_pool_are_errors() -> None:
    with pytest.raises(ConfigError, match="1490R001"):  # the treated area itself
        choose_controls(_inputs(), "1490R001,1480R001")
    empty_types = pd.DataFrame(columns=["area_code", "year", "omradestyp"])
    with pytest.raises(EstimationError, match="no official områdestyp"):
        choose_controls(_inputs(empty_types), "same-type")
    only_own = pd.DataFrame({"area_code": ["1490R001"], "year": [2020], "omradestyp": [5.0]})
    with pytest.raises(EstimationError, match="no comparison areas"):
        choose_controls(_inputs(only_own), "same-type-elsewhere")

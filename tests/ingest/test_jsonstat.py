"""JSON-stat 2 (SCB PxWebApi v2) parser.

Sources: the recorded-shape response ``tests/fixtures/http/scb/TAB6571_data_boras_2022.json``
whose numbers are SCB's (export 000005FE, Borås DeSO 2022, see ``fixtures/http/README.md``),
compared with the xlsx export read independently here; PxWebApi's own reference metadata
``MetadataById_tab004_js2.json`` (shared/api_reference). Small constructed documents (labelled
below) exercise markers the recorded file does not contain.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grannskap.errors import GrannskapError, InputError, ValidationError
from grannskap.ingest.jsonstat import area_system, parse_jsonstat2, sniff

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "http"
DATA = FIX / "scb" / "TAB6571_data_boras_2022.json"


def small_doc() -> dict:
    """A CONSTRUCTED 2 region x 2 sex x 2 year dataset in PxWebApi v2 shape (not SCB data)."""
    return {
        "version": "2.0",
        "class": "dataset",
        "label": "constructed test table",
        "role": {"time": ["Tid"], "geo": ["Region"], "metric": ["ContentsCode"]},
        "id": ["Region", "Kon", "ContentsCode", "Tid"],
        "size": [2, 2, 1, 2],
        "dimension": {
            "Region": {
                "label": "region",
                "category": {
                    "index": {"1490": 0, "00": 1},
                    "label": {"1490": "Borås", "00": "Riket"},
                },
            },
            "Kon": {
                "label": "kön",
                "category": {"index": ["1", "2"], "label": {"1": "män", "2": "kvinnor"}},
            },
            "ContentsCode": {
                "label": "tabellinnehåll",
                "category": {
                    "index": {"X1": 0},
                    "label": {"X1": "Antal"},
                    "unit": {"X1": {"base": "antal", "decimals": 0}},
                },
            },
            "Tid": {
                "label": "år",
                "category": {
                    "index": {"2021": 0, "2022": 1},
                    "label": {"2021": "2021", "2022": "2022"},
                },
            },
        },
        "extension": {"px": {"tableid": "TABX"}},
        "value": [1, 2, 3, None, 5, 6, None, 0],
        "status": {"3": "..", "6": "..", "7": "-"},
    }


def enc(doc: object) -> bytes:
    return json.dumps(doc).encode()


def test_recorded_response_matches_scb_export(shared_data: Path) -> None:
    """Every value equals the same cell of SCB's xlsx export 000005FE (read with openpyxl)."""
    openpyxl = pytest.importorskip("openpyxl")
    parsed = parse_jsonstat2(DATA.read_bytes(), DATA.name)
    ws = openpyxl.load_workbook(
        next((shared_data / "scb_deso_2022").glob("000005FE_*.xlsx")), read_only=True
    ).active
    expected = {}
    for row in ws.iter_rows(values_only=True):
        if isinstance(row[0], str) and row[0].startswith("1490") and len(row[0]) == 9:
            expected[(row[0], "utlbakgrund=2")] = row[1]  # svensk bakgrund
            expected[(row[0], "utlbakgrund=1")] = row[2]  # utländsk bakgrund
            expected[(row[0], "")] = row[3]  # totalt
    obs = parsed.observations
    got = {
        (a, b): v for a, b, v in zip(obs["area_code"], obs["breakdown"], obs["value"], strict=True)
    }
    assert len(got) == len(expected) == 77 * 3
    assert got == expected
    # Borås total 2022 as the sum over its 77 DeSO of the export's "totalt" column
    assert obs.loc[obs["breakdown"] == "", "value"].sum() == sum(
        v for (_, b), v in expected.items() if b == ""
    )


def test_recorded_response_layout() -> None:
    parsed = parse_jsonstat2(DATA.read_bytes(), DATA.name)
    obs = parsed.observations
    assert parsed.source == "scb" and parsed.table_id == "TAB6571" and parsed.year == 2022
    assert set(obs["indicator_id"]) == {"scb.TAB6571.000007Y4"}
    assert set(obs["breakdown"]) == {"", "utlbakgrund=1", "utlbakgrund=2"}  # Kon 1+2 is the total
    assert set(obs["status"]) == {"ok"}
    assert (obs["year"] == 2022).all()
    assert parsed.indicators[0].unit == "antal" and parsed.indicators[0].kind == "count"
    assert {a.system for a in parsed.areas} == {"deso"}
    # foreign + Swedish background = total for every DeSO (a property of SCB's table)
    w = obs.pivot_table(index="area_code", columns="breakdown", values="value")
    np.testing.assert_array_equal(w["utlbakgrund=1"] + w["utlbakgrund=2"], w[""])


def test_markers_constructed() -> None:
    parsed = parse_jsonstat2(enc(small_doc()), "small.json")
    obs = parsed.observations.reset_index(drop=True)
    # row-major, Tid fastest: index 3 = Borås, kon=2, 2022 (".."), 6 = Riket, kon=2, 2021
    assert obs.loc[3, ["area_code", "breakdown", "year", "status"]].tolist() == [
        "1490",
        "kon=2",
        2022,
        "missing",
    ]
    assert math.isnan(obs.loc[3, "value"])
    assert obs.loc[6, "status"] == "missing"
    assert obs.loc[7, "status"] == "zero" and obs.loc[7, "value"] == 0.0
    assert obs.loc[4, ["area_code", "breakdown", "year", "value"]].tolist() == [
        "00",
        "kon=1",
        2021,
        5.0,
    ]
    assert {a.system for a in parsed.areas} == {"kommun", "riket"}


def test_sparse_values_and_string_status() -> None:
    doc = small_doc()
    doc["value"] = {"0": 1, "5": 6}
    doc["status"] = {"1": ".."}
    obs = parse_jsonstat2(enc(doc), "sparse.json").observations
    assert obs["value"].notna().sum() == 2
    assert (obs["status"] == "missing").sum() == 6  # absent cells are missing too


def test_all_problems_collected() -> None:
    doc = small_doc()
    doc["value"] = [1, "x", 3, 4, -5, 6, True, 8]
    doc["status"] = {"0": "??", "2": ".."}
    with pytest.raises(ValidationError) as err:
        parse_jsonstat2(enc(doc), "bad.json")
    cols = {p.column for p in err.value.problems}
    assert {"value[1]", "value[6]", "status[0]", "value[2]", "value[4]"} <= cols
    assert all(p.file == "bad.json" for p in err.value.problems)
    assert any(p.reason == "negative count" and p.value == -5.0 for p in err.value.problems)


def test_structural_problems() -> None:
    doc = small_doc()
    doc["size"] = [2, 2, 1, 3]
    doc["dimension"]["Tid"]["category"]["index"] = {"2021": 0, "2021M02": 1}
    with pytest.raises(ValidationError) as err:
        parse_jsonstat2(enc(doc), "s.json")
    assert any("length differs" in p.reason for p in err.value.problems)
    doc = small_doc()
    del doc["dimension"]["Region"]
    doc["id"][0] = "Omrade"
    doc["size"] = [2, 2, 1, 2]
    with pytest.raises(ValidationError):
        parse_jsonstat2(enc(doc), "s.json")


def test_reference_metadata_without_region_is_rejected(shared_data: Path) -> None:
    """PxWebApi's reference table TAB004 (air emissions) has no region and no values."""
    ref = (
        shared_data.parent
        / "api_reference"
        / "scb_pxwebapi_v2"
        / "PxWebApi_tests_ExpectedJson"
        / "MetadataById_tab004_js2.json"
    )
    if not ref.is_file():
        pytest.skip("api_reference not present")
    with pytest.raises(ValidationError) as err:
        parse_jsonstat2(ref.read_bytes(), ref.name)
    reasons = " ".join(p.reason for p in err.value.problems)
    assert "no region dimension" in reasons and "number of values" in reasons
    assert sniff(ref.read_bytes(), ref.name) == "jsonstat2"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b'{"class": "dataset",', "malformed JSON"),
        (b'{"a": 1, "a": 2}', "duplicate key"),
        (b'{"value": [NaN]}', "non-standard"),
        (b"\xff\xfe{}", "UTF-8"),
    ],
)
def test_bad_json_is_one_clear_error(data: bytes, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        parse_jsonstat2(data, "f.json")
    assert fragment in str(err.value)


def test_malformed_json_names_position() -> None:
    with pytest.raises(InputError) as err:
        parse_jsonstat2(b'{\n "id": [1,\n}', "pos.json")
    assert err.value.problem.row == 3


def test_sniff() -> None:
    assert sniff(DATA.read_bytes(), "x") == "jsonstat2"
    assert sniff((FIX / "kolada" / "N01951_page1.json").read_bytes(), "x") == "kolada"
    assert sniff(b"Region;2022\n", "x.csv") is None
    assert sniff(b"PK\x03\x04", "x.xlsx") is None
    assert sniff(b'{"type": "FeatureCollection", "features": []}', "x.geojson") is None


def test_area_system() -> None:
    assert [area_system(c) for c in ("00", "14", "1490", "1490C1010", "1490R003", "0114C1010_DeSO2025", "X")] == [
        "riket", "lan", "kommun", "deso", "regso", "deso2025", ""
    ]  # fmt: skip


# ------------------------------------------------------------------ property tests
json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
)
json_any = st.recursive(
    json_leaf,
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=6), c, max_size=4),
    max_leaves=20,
)


@given(json_any)
def test_random_json_never_crashes(doc: object) -> None:
    try:
        parse_jsonstat2(enc(doc), "random.json")
    except GrannskapError:
        pass


KEYS = ["id", "size", "dimension", "value", "status", "role", "class", "extension"]


@given(st.sampled_from(KEYS), json_any, st.booleans())
def test_mutated_dataset_never_crashes(key: str, replacement: object, delete: bool) -> None:
    doc = small_doc()
    if delete:
        doc.pop(key, None)
    else:
        doc[key] = replacement
    try:
        parse_jsonstat2(enc(doc), "mutated.json")
    except GrannskapError:
        pass


@given(
    st.sampled_from(["Region", "Kon", "ContentsCode", "Tid"]),
    st.sampled_from(["index", "label", "unit", "category"]),
    json_any,
)
def test_mutated_dimension_never_crashes(dim: str, part: str, replacement: object) -> None:
    doc = copy.deepcopy(small_doc())
    if part == "category":
        doc["dimension"][dim]["category"] = replacement
    else:
        doc["dimension"][dim]["category"][part] = replacement
    try:
        parse_jsonstat2(enc(doc), "mutated.json")
    except GrannskapError:
        pass


@given(st.binary(max_size=60))
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        parse_jsonstat2(data, "bytes.json")
    except GrannskapError:
        pass
    assert sniff(data, "bytes.json") in (None, "jsonstat2", "kolada")


def test_grannskap_import_dispatches_json_files(tmp_path: Path) -> None:
    """The lead's ``import_file`` recognises both JSON formats through :func:`sniff`."""
    importer = pytest.importorskip("grannskap.ingest.importer")
    from grannskap.store import connect

    kolada_file = tmp_path / "kolada_N01951.json"
    kolada_file.write_bytes(
        b"["
        + b",".join((FIX / "kolada" / f"N01951_page{i}.json").read_bytes() for i in (1, 2))
        + b"]"
    )
    con = connect(tmp_path / "g.duckdb")
    try:
        first = importer.import_file(con, DATA)
        again = importer.import_file(con, DATA)
        importer.import_file(con, kolada_file)
        n = con.execute(
            "SELECT count(*) FROM observation WHERE indicator_id = 'scb.TAB6571.000007Y4'"
        ).fetchone()
        k = con.execute(
            "SELECT count(*) FROM observation WHERE indicator_id = 'kolada.N01951'"
        ).fetchone()
    finally:
        con.close()
    assert first.rows == 231 and again.skipped
    assert n == (231,) and k == (2,)


def test_indicator_kind_from_unit_and_label() -> None:
    """Labels as in SCB exports 000006TA ("Låg ekonomisk standard, procent") and 000005FM."""
    doc = small_doc()
    doc["dimension"]["ContentsCode"]["category"] = {
        "index": {"A": 0},
        "label": {"A": "Låg ekonomisk standard, procent"},
        "unit": {"A": {"base": "procent", "decimals": 0}},
    }
    assert parse_jsonstat2(enc(doc), "k.json").indicators[0].kind == "percent"
    doc["dimension"]["ContentsCode"]["category"]["label"]["A"] = "Nettoinkomst, medianvärde, tkr"
    doc["dimension"]["ContentsCode"]["category"]["unit"]["A"]["base"] = "tkr"
    assert parse_jsonstat2(enc(doc), "k.json").indicators[0].kind == "median"


@given(
    st.lists(st.integers(1, 4), min_size=0, max_size=2),
    st.integers(1, 3),
    st.integers(1, 3),
    st.data(),
)
def test_cells_follow_row_major_order(
    extra: list[int], n_regions: int, n_years: int, data: st.DataObject
) -> None:
    """Each value lands on the codes itertools.product gives for its position (JSON-stat 2: last
    dimension varies fastest), whatever the number and order of dimensions."""
    import itertools

    dims = {
        "Region": [f"14{k:02d}" for k in range(90, 90 + n_regions)],
        "Tid": [str(2010 + y) for y in range(n_years)],
    }
    for j, n in enumerate(extra):
        dims[f"V{j}"] = [f"c{i}" for i in range(n)]
    order = data.draw(st.permutations(list(dims)))
    size = [len(dims[d]) for d in order]
    n = math.prod(size)
    values = data.draw(
        st.lists(st.one_of(st.none(), st.integers(0, 10**6)), min_size=n, max_size=n)
    )
    doc = {
        "version": "2.0",
        "class": "dataset",
        "id": order,
        "size": size,
        "dimension": {d: {"category": {"index": dims[d]}} for d in order},
        "extension": {"px": {"tableid": "T"}},
        "value": values,
    }
    obs = parse_jsonstat2(enc(doc), "p.json").observations
    assert len(obs) == n
    for k, combo in enumerate(itertools.product(*(dims[d] for d in order))):
        cell = dict(zip(order, combo, strict=True))
        row = obs.iloc[k]
        assert row.area_code == cell["Region"] and row.year == int(cell["Tid"])
        expected_bd = ";".join(f"{d.lower()}={cell[d]}" for d in order if d.startswith("V"))
        assert row.breakdown == expected_bd
        if values[k] is None:
            assert row.status == "missing" and math.isnan(row.value)
        else:
            assert row.value == values[k] and row.status == "ok"

"""Kolada v3 parser.

Sources: ``tests/fixtures/http/kolada/N01951_page{1,2}.json`` — two pages in Kolada v3's shape
(``shared/api_reference/kolada/STRUCTURE.md``); Borås' value is the sum of its 77 DeSO in SCB's
export 000005FE (2022), re-computed here from the xlsx; Riket is SCB's published population
31 Dec 2022 (10,521,556). Constructed pages (labelled) cover genders, nulls and bad input.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grannskap.errors import GrannskapError, InputError, ValidationError
from grannskap.ingest.kolada import parse_kolada

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "http" / "kolada"
PAGES = [(FIX / f"N01951_page{i}.json").read_bytes() for i in (1, 2)]


def constructed_page() -> dict:
    """CONSTRUCTED page (illustrative numbers, not Kolada data) with T/K/M and a null."""
    return {
        "count": 2,
        "values": [
            {
                "kpi": "N00945",
                "municipality": "1490",
                "period": 2023,
                "values": [
                    {"gender": "T", "count": 1, "status": "", "value": 12.3, "isdeleted": False},
                    {"gender": "K", "count": 1, "status": "", "value": 11.9},
                    {"gender": "M", "count": 1, "status": "Missing", "value": None},
                ],
            },
            {
                "kpi": "N00945",
                "municipality": "0000",
                "period": 2022,
                "values": [{"gender": "T", "count": 290, "status": "", "value": 10}],
            },
        ],
        "next_url": None,
    }


def enc(doc: object) -> bytes:
    return json.dumps(doc).encode()


def test_recorded_pages(shared_data: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    ws = openpyxl.load_workbook(
        next((shared_data / "scb_deso_2022").glob("000005FE_*.xlsx")), read_only=True
    ).active
    boras = sum(
        r[3]
        for r in ws.iter_rows(values_only=True)
        if isinstance(r[0], str) and r[0].startswith("1490") and len(r[0]) == 9
    )
    parsed = parse_kolada(PAGES, "kolada N01951")
    obs = parsed.observations.set_index("area_code")
    assert obs.loc["1490", "value"] == boras
    assert obs.loc["0000", "value"] == 10_521_556
    assert set(parsed.observations["indicator_id"]) == {"kolada.N01951"}
    assert set(parsed.observations["breakdown"]) == {""}
    assert parsed.table_id == "N01951" and parsed.source == "kolada" and parsed.year == 2022
    assert {a.code: a.system for a in parsed.areas} == {"0000": "riket", "1490": "kommun"}


def test_pages_as_one_array_file_equal_pages() -> None:
    as_file = b"[" + PAGES[0] + b"," + PAGES[1] + b"]"
    a = parse_kolada(as_file, "f.json").observations
    b = parse_kolada(PAGES, "pages").observations
    assert a.equals(b)


def test_gender_and_missing_constructed() -> None:
    parsed = parse_kolada(enc(constructed_page()), "c.json", kpi_titles={"N00945": "Test title"})
    obs = parsed.observations
    row = obs[(obs.area_code == "1490") & (obs.breakdown == "kon=M")].iloc[0]
    assert row.status == "missing" and math.isnan(row.value)
    assert obs[(obs.area_code == "1490") & (obs.breakdown == "kon=K")].iloc[0].value == 11.9
    assert obs[(obs.area_code == "1490") & (obs.breakdown == "")].iloc[0].value == 12.3
    assert parsed.indicators[0].name_sv == "Test title" and parsed.title == "Test title"


def test_all_problems_collected() -> None:
    doc = constructed_page()
    doc["values"][0]["values"][1]["gender"] = "X"
    doc["values"][0]["values"][0]["value"] = "12,3"
    doc["values"][1]["municipality"] = 1490
    doc["values"].append(dict(doc["values"][0], values=[{"gender": "K", "value": 1.0}]))
    doc["values"][0]["values"].append({"gender": "K", "value": 2.0})
    with pytest.raises(ValidationError) as err:
        parse_kolada(enc(doc), "bad.json")
    reasons = [p.reason for p in err.value.problems]
    assert "unknown gender" in reasons and "value is not a number" in reasons
    assert "invalid municipality id" in reasons and "duplicate value" in reasons
    cols = {p.column for p in err.value.problems}
    assert "values[0].values[1].gender" in cols


def test_ou_data_rejected() -> None:
    doc = constructed_page()
    doc["values"][0]["ou"] = "V15E149000301"
    with pytest.raises(ValidationError, match="organisational-unit"):
        parse_kolada(enc(doc), "ou.json")


def test_deleted_values_skipped() -> None:
    doc = constructed_page()
    doc["values"][0]["values"][0]["isdeleted"] = True
    obs = parse_kolada(enc(doc), "d.json").observations
    assert not ((obs.area_code == "1490") & (obs.breakdown == "")).any()


@pytest.mark.parametrize("data", [b"", b"{", b"[1,2", b'{"values": [], "values": []}'])
def test_bad_json(data: bytes) -> None:
    with pytest.raises(InputError):
        parse_kolada(data, "x.json")


def test_empty_page_list() -> None:
    with pytest.raises(InputError):
        parse_kolada([], "none")


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3000, 3000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
)
json_any = st.recursive(
    json_leaf,
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=6), c, max_size=4),
    max_leaves=20,
)


@given(json_any)
def test_random_json_never_crashes(doc: object) -> None:
    try:
        parse_kolada(enc(doc), "random.json")
    except GrannskapError:
        pass


@given(
    st.sampled_from(["kpi", "municipality", "period", "values", "ou"]),
    json_any,
    st.sampled_from(["entry", "gender", "value", "status"]),
)
def test_mutated_page_never_crashes(key: str, replacement: object, where: str) -> None:
    doc = constructed_page()
    if where == "entry":
        doc["values"][0][key] = replacement
    else:
        doc["values"][0]["values"][0][where] = replacement
    try:
        parse_kolada(enc(doc), "mutated.json")
    except GrannskapError:
        pass


@given(st.lists(st.binary(max_size=30), min_size=1, max_size=3))
def test_random_page_bytes_never_crash(pages: list[bytes]) -> None:
    try:
        parse_kolada(pages, "bytes")
    except GrannskapError:
        pass

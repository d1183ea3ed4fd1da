"""Property tests: malformed inputs to every importer give grannskap errors, never a crash."""

from __future__ import annotations

from pathlib import Path

import hypothesis.strategies as st
from hypothesis import given

from grannskap.errors import GrannskapError
from grannskap.ingest.importer import import_file
from grannskap.store import connect

cells = st.one_of(
    st.none(),
    st.integers(-10, 10_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.sampled_from(["..", ".", "-", "x", "1490C1010", "2022", "totalt", "efter"]),
)


def _try_import(tmp: Path, name: str, data: bytes) -> None:
    path = tmp / name
    path.write_bytes(data)
    con = connect(":memory:")
    try:
        import_file(con, path)
    except GrannskapError as exc:
        assert exc.lines() and all(isinstance(line, str) and line for line in exc.lines())


@given(rows=st.lists(st.lists(cells, max_size=6), max_size=12), title=st.booleans())
def test_random_grids_as_xlsx(tmp_path_factory, xlsx_bytes, rows, title: bool) -> None:  # type: ignore[no-untyped-def]
    if title:
        rows = [["Folkmängden per region efter region, år och kön"], *rows]
    _try_import(tmp_path_factory.mktemp("x"), "f.xlsx", xlsx_bytes(rows))


@given(
    data=st.binary(max_size=400),
    suffix=st.sampled_from([".csv", ".json", ".geojson", ".yaml", ".toml", ".xlsx", ".txt"]),
)
def test_random_bytes(tmp_path_factory, data: bytes, suffix: str) -> None:  # type: ignore[no-untyped-def]
    _try_import(tmp_path_factory.mktemp("b"), f"f{suffix}", data)


_TOKENS = [*';,"\n\t .-x0123456789abcefgnrtåäö', "efter ", "1490C1010", "2022", "totalt", ".."]


@given(text=st.lists(st.sampled_from(_TOKENS), max_size=120).map("".join))
def test_random_csv_text(tmp_path_factory, text: str) -> None:  # type: ignore[no-untyped-def]
    _try_import(tmp_path_factory.mktemp("c"), "f.csv", text.encode("utf-8"))

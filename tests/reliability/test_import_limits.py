"""Issue 18, finding 5 (xlsx/zip part): importer limits before any parser runs.

The attack: a 1.9 kB xlsx declaring ``A1:XFD1048576`` passed 6 GB in 45 s; a 1.9 MB deflate
bomb ran past 400 s. Both are refused now from the zip directory and the sheet's first bytes,
with a one-line error naming the file, the limit and the variable that raises it.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from grannskap.cli import main
from grannskap.errors import InputError
from grannskap.ingest.limits import check_zip


def _rewrite(xlsx: bytes, member: str, fn: Any) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for i in src.infolist():
            body = src.read(i)
            dst.writestr(i.filename, fn(body) if i.filename == member else body)
    return out.getvalue()


@pytest.fixture()
def small_xlsx(xlsx_bytes: Any, scb_rows: Any) -> bytes:
    return xlsx_bytes(scb_rows([["0114A0010", 1, 2, 3]]))


def _import(path: Path, tmp_path: Path, capsys: Any) -> tuple[int, str, float]:
    t0 = time.perf_counter()
    code = main(["import", str(path), "--db", str(tmp_path / "g.duckdb")])
    return code, capsys.readouterr().err, time.perf_counter() - t0


def test_declared_dimension_bomb_is_refused(small_xlsx: bytes, tmp_path: Path, capsys: Any) -> None:
    def huge(xml: bytes) -> bytes:
        if b"<dimension" in xml:
            return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml)
        return xml.replace(b"<sheetData", b'<dimension ref="A1:XFD1048576"/><sheetData', 1)

    data = _rewrite(small_xlsx, "xl/worksheets/sheet1.xml", huge)
    assert len(data) < 10_000
    f = tmp_path / "bomb.xlsx"
    f.write_bytes(data)
    code, err, took = _import(f, tmp_path, capsys)
    assert code != 0 and "GRANNSKAP_MAX_XLSX_CELLS" in err and "Traceback" not in err, err
    assert "17,179,869,184" in err  # 16,384 columns x 1,048,576 rows
    assert took < 30


def test_deflate_bomb_is_refused(small_xlsx: bytes, tmp_path: Path, capsys: Any) -> None:
    pad = b"<!--" + b"0" * 60_000_000 + b"-->"
    data = _rewrite(small_xlsx, "xl/worksheets/sheet1.xml", lambda x: x + pad)
    assert len(data) < 1_000_000  # 60 MB of XML in well under 1 MB
    f = tmp_path / "deflate.xlsx"
    f.write_bytes(data)
    code, err, took = _import(f, tmp_path, capsys)
    assert code != 0 and "GRANNSKAP_MAX_ZIP_RATIO" in err and "Traceback" not in err, err
    assert took < 30


def test_file_size_limit_names_the_variable(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("GRANNSKAP_MAX_IMPORT_BYTES", "100")
    f = tmp_path / "big.csv"
    f.write_text("a,b\n" * 100, encoding="utf-8")
    code, err, _ = _import(f, tmp_path, capsys)
    assert code != 0 and "GRANNSKAP_MAX_IMPORT_BYTES" in err


def test_real_xlsx_files_pass() -> None:
    from grannskap.demo import demo_files

    files = [f for f in demo_files() if f.suffix == ".xlsx"]
    assert files
    for f in files:
        check_zip(f.read_bytes(), f.name)  # raises InputError if a limit were too tight


def test_limits_can_be_raised(small_xlsx: bytes, monkeypatch: Any) -> None:
    data = _rewrite(
        small_xlsx,
        "xl/worksheets/sheet1.xml",
        lambda x: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:Z100000"', x),
    )
    if b"A1:Z100000" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml"):
        pytest.skip("the test workbook has no dimension element")
    monkeypatch.setenv("GRANNSKAP_MAX_XLSX_CELLS", "1000")
    with pytest.raises(InputError):
        check_zip(data, "x.xlsx")
    monkeypatch.setenv("GRANNSKAP_MAX_XLSX_CELLS", "10000000")
    check_zip(data, "x.xlsx")


@pytest.mark.parametrize(
    "body, env",
    [
        ('{"type": "FeatureCollection", "features": ' + "[" * 5000 + "]" * 5000 + "}", "DEPTH"),
        ('{"a": ' * 5000 + "1" + "}" * 5000, "DEPTH"),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
            '"geometry": {"type": "Polygon", "coordinates": [['
            + ", ".join(["[1.0, 2.0]"] * 60_000)
            + "]]}}]}",
            "POSITIONS",
        ),
    ],
    ids=["deep-arrays", "deep-objects", "many-vertices"],
)
def test_geojson_limits(body: str, env: str, tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("GRANNSKAP_MAX_GEOJSON_POSITIONS", "50000")  # default 5 M
    f = tmp_path / "areas.geojson"
    f.write_text(body, encoding="utf-8")
    code, err, took = _import(f, tmp_path, capsys)
    assert (
        code != 0
        and f"GRANNSKAP_MAX_{'JSON_DEPTH' if env == 'DEPTH' else 'GEOJSON_POSITIONS'}" in err
    )
    assert "Traceback" not in err and took < 30


def test_real_geojson_passes() -> None:
    from grannskap.demo import demo_files
    from grannskap.ingest.limits import check_geojson

    files = [f for f in demo_files() if f.suffix == ".geojson"]
    assert files
    for f in files:
        check_geojson(f.read_bytes(), f.name)

"""The report files written from the real demo database: self-contained HTML with numbered,
captioned, alt-texted figures; every table in the XLSX; a valid GeoPackage; a PDF."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _html(report_dir: Path) -> str:
    return (report_dir / "report.html").read_text(encoding="utf-8")


def test_html_is_self_contained(report_dir: Path) -> None:
    html = _html(report_dir)
    p = _Collect()
    p.feed(html)
    for tag, attrs in p.tags:
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not re.match(r"^(https?:)?//", value), (
                f"external reference <{tag} {key}={value!r}>"
            )
        assert not (tag == "link" and attrs.get("rel") == "stylesheet"), "stylesheet must be inline"
        assert not (tag == "script" and attrs.get("src")), "script must be inline"
    assert "Content-Security-Policy" in html


def test_every_figure_has_number_alt_text_and_source(report_dir: Path) -> None:
    html = _html(report_dir)
    figures = re.findall(r'<figure class="fig".*?</figure>', html, flags=re.S)
    assert len(figures) >= 6
    numbers = []
    for f in figures:
        m = re.search(r"<strong>Figur (\d+)\.</strong>", f)
        assert m, f[:200]
        numbers.append(int(m.group(1)))
        assert "Källa:" in f and "Beskrivning:" in f
        svg = re.search(r"<svg.*?</svg>", f, flags=re.S)
        assert svg is not None
        root = ET.fromstring(svg.group(0))  # well-formed XML
        assert root.get("role") == "img" and root.get("aria-label")
        ns = "{http://www.w3.org/2000/svg}"
        assert root.find(f"{ns}title") is not None and (root.find(f"{ns}desc").text or "").strip()
    assert numbers == list(range(1, len(numbers) + 1))


def test_swedish_number_format_and_key_content(report_dir: Path) -> None:
    html = _html(report_dir)
    assert "Sammanfattning" in html and "Borås" in html
    assert re.search(r"\d+,\d\u00a0%", html), "Swedish decimal comma + nbsp before %"
    assert "30\u00a0153\u00a0199\u00a0kr" in html  # stated total of the seed's funding table
    assert re.search(r"skillnad 1[ \u00a0]kr", html)  # the 1 kr discrepancy stays visible
    assert "Norrby" in html and "Hässleholmen" in html


def test_sections_are_all_present_in_order(report_dir: Path) -> None:
    from grannskap.report.sections import SECTIONS

    html = _html(report_dir)
    positions = [html.find(f'id="sec-{name}"') for name in SECTIONS]
    assert all(p > 0 for p in positions)
    assert positions == sorted(positions)


def test_xlsx_has_every_table_with_source(report_dir: Path) -> None:
    import openpyxl

    html = _html(report_dir)
    n_tables = len(re.findall(r"<strong>Tabell \d+\.</strong>", html))
    wb = openpyxl.load_workbook(report_dir / "report.xlsx")
    sheets = [s for s in wb.sheetnames if s not in ("Innehåll", "Contents", "Noter", "Notes")]
    assert len(sheets) == n_tables
    for name in sheets:
        ws = wb[name]
        assert str(ws["A1"].value).startswith("Tabell ")
        assert str(ws["A2"].value).startswith("Källa: ")


def test_gpkg_follows_the_geopackage_spec(report_dir: Path, demo_con) -> None:  # type: ignore[no-untyped-def]
    """Written by GDAL (pyogrio): GeoPackage 1.x header, R-tree spatial index per feature layer."""
    path = report_dir / "areas.gpkg"
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47
    assert con.execute("PRAGMA user_version").fetchone()[0] >= 10200
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
    assert contents == {
        "regso": "features",
        "stadsdel": "features",
        "polisens_omraden": "features",
        "deso": "attributes",
        "faltbeskrivning": "attributes",
    }
    rtrees = {
        r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE name LIKE 'rtree_%_geom'")
    }
    assert rtrees == {"rtree_regso_geom", "rtree_stadsdel_geom", "rtree_polisens_omraden_geom"}
    con.close()


def test_gpkg_reads_back_in_gdal_with_valid_geometry_in_epsg_3006(
    report_dir: Path, demo_con
) -> None:  # type: ignore[no-untyped-def]
    pyogrio = pytest.importorskip("pyogrio")
    from shapely import from_wkb, wkb

    path = report_dir / "areas.gpkg"
    layers = dict(pyogrio.list_layers(path))
    assert layers["regso"] == "MultiPolygon" and layers["polisens_omraden"] == "MultiPolygon"
    for layer in ("regso", "stadsdel", "polisens_omraden"):
        meta, _, geom, fields = pyogrio.raw.read(path, layer=layer)
        assert meta["crs"] == "EPSG:3006", layer
        shapes = from_wkb(geom)
        assert all(g.is_valid and not g.is_empty for g in shapes), layer
    meta, _, geom, fields = pyogrio.raw.read(path, layer="regso")
    cols = dict(zip(meta["fields"], fields, strict=True))
    # the 47 RegSO of Borås (SCB), Swedish attribute names
    assert len(geom) == 47 and {"regsonamn", "folkmängd", "omradestyp_2023", "gränser"} <= set(cols)
    assert set(cols["gränser"]) == {"RegSO 2025"}
    # total area of the demo's RegSO 2025 polygons: 972 km² (shared/data/README.md)
    assert sum(g.area for g in from_wkb(geom)) / 1e6 == pytest.approx(972.2, abs=0.5)
    meta, _, geom, fields = pyogrio.raw.read(path, layer="polisens_omraden")
    cols = dict(zip(meta["fields"], fields, strict=True))
    code, year = cols["omradeskod"][0], int(cols["gränsår"][0])
    src = demo_con.execute(
        "SELECT geometry_wkb FROM police_area_geometry WHERE area_code=? AND year=?", [code, year]
    ).fetchone()[0]
    assert from_wkb(geom[0]).area == pytest.approx(wkb.loads(bytes(src)).area, rel=1e-9)
    meta, _, _, fields = pyogrio.raw.read(path, layer="faltbeskrivning")
    described = set(zip(fields[0], fields[1], strict=True))
    assert ("regso", "folkmängd") in described and ("deso", "forgymnasial_pct") in described


@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian chromium not installed: no PDF"
)
def test_pdf_has_pages_numbers_and_swedish_text(report_dir: Path) -> None:
    pdf = report_dir / "report.pdf"
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) >= 5
    assert (
        "Sammanfattning" in text and "Områden och områdestyper" in text and "Hässleholmen" in text
    )
    n = len([p for p in pages if p.strip()])
    assert re.search(rf"\b1 / {n}\b", pages[0]), "page number footer on page 1"
    assert "Figur 1." in text
    if shutil.which("pdftoppm"):  # page images to look at (artifacts/ is git-ignored)
        shots = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "70",
                "-png",
                "-f",
                "1",
                "-l",
                "3",
                str(pdf),
                str(shots / "report-pdf"),
            ],
            check=True,
        )
        assert (shots / "report-pdf-01.png").exists() or (shots / "report-pdf-1.png").exists()
    # one print pass: the contents list links to the sections (Chromium writes one /Link
    # annotation per entry) and the PDF has an outline; no page numbers (no target-counter)
    toc = re.findall(r"^\s*(\d+)\. \S", pages[0], flags=re.MULTILINE)
    assert len(toc) >= 8, pages[0][:1500]
    raw = pdf.read_bytes()
    assert raw.count(b"/Subtype /Link") >= len(toc) and b"/Outlines" in raw

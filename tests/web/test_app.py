"""The dashboard's request handling without a browser: every page of the real demo database, and
bad input (unknown kommun/area/year/table/parameter) giving helpful 404/400 pages, never a 500."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

PAGES = [
    ("/", ""),
    ("/areas", "level=regso"),
    ("/areas", "level=deso"),
    ("/areas", "level=stadsdel"),
    ("/areas", "level=police"),
    ("/area/regso/1490R025", ""),
    ("/area/deso/1490C1390", ""),
    ("/area/stadsdel/norrby", ""),
    ("/area/police/P13", ""),
    ("/indicators", "indicator=arbetslosa&level=deso&year=2022"),
    ("/goals", "malomrade=M1"),
    ("/", "lang=en"),
    *[
        (f"/section/{n}", "")
        for n in (
            "summary",
            "areas",
            "indicators",
            "goals",
            "segregation",
            "police",
            "programme",
            "evaluation",
            "funding",
            "methods",
        )
    ],
]


@pytest.mark.parametrize(("path", "query"), PAGES)
def test_pages_render_without_external_references(app, path: str, query: str) -> None:  # type: ignore[no-untyped-def]
    r = app.handle(path, query)
    assert r.status == 200, r.body[:500]
    html = r.body.decode()
    assert not re.search(r'(src|href|action)="(https?:)?//', html)
    assert "<main" in html and 'lang="' in html


@pytest.mark.parametrize(
    ("path", "query", "status", "needle"),
    [
        ("/", "kommun=9999", 404, "9999"),
        ("/", "kommun=<script>", 404, "&lt;script&gt;"),
        ("/area/regso/1490R999", "", 404, "1490R999"),
        ("/area/regso/0114R001", "", 404, "Borås"),  # exists in Sweden, not in Borås
        ("/area/planet/x", "", 404, "planet"),
        ("/indicators", "year=1999", 404, "1999"),
        ("/indicators", "indicator=nope", 404, "nope"),
        ("/goals", "malomrade=M9", 404, "M9"),
        ("/download/nope.csv", "", 404, "nope.csv"),
        ("/download/../../etc/passwd", "", 404, ""),
        ("/static/../../pyproject.toml", "", 404, ""),
        ("/", "foo=1", 400, "foo"),
        ("/", "lang=de", 400, "de"),
        ("/areas", "level=deso&level=regso", 400, "level"),
        ("/nope", "", 404, "/nope"),
    ],
)
def test_bad_input_gives_helpful_page(app, path: str, query: str, status: int, needle: str) -> None:  # type: ignore[no-untyped-def]
    r = app.handle(path, query)
    assert r.status == status
    body = r.body.decode()
    assert needle in body and "Traceback" not in body and "<script>" not in body


def test_norrby_story_is_on_the_district_page(app) -> None:  # type: ignore[no-untyped-def]
    """'How has Norrby developed since 2018, and what did it cost?' (issue 5, done-when)."""
    html = app.handle("/area/stadsdel/norrby", "").body.decode()
    assert "Särskilt utsatt område" in html and "2017" in html and "2025" in html  # police lists
    assert (
        "3\u00a0602\u00a0624\u00a0kr" in html
    )  # Områdesutveckling Norrby-Hässleholmen-Sjöbo (seed table)
    assert "Norrby" in html and "Typ 2022" in html and "Typ 2023" in html


def test_download_csv_and_xlsx(app) -> None:  # type: ignore[no-untyped-def]
    r = app.handle("/download/key-indicators.csv", "")
    assert r.status == 200 and r.content_type.startswith("text/csv")
    assert r.body[:3] == b"\xef\xbb\xbf"  # BOM: Excel reads UTF-8
    text = r.body.decode("utf-8-sig")
    assert "Utländsk bakgrund" in text and not text.startswith("#")
    # a Swedish Excel locale: semicolons and decimal commas parse into numbers
    import io

    import pandas as pd

    frame = pd.read_csv(io.StringIO(text), sep=";", decimal=",")
    assert frame.shape[1] >= 4 and pd.api.types.is_float_dtype(frame.iloc[:, 2])
    assert not re.search(r"\d\.\d{6,}", text)  # no float noise
    meta = app.handle("/download/key-indicators.txt", "")
    assert meta.status == 200 and "Källa: " in meta.body.decode()
    r = app.handle("/download/key-indicators.xlsx", "")
    assert r.status == 200 and r.body[:2] == b"PK"


def test_http_headers_and_methods(base_url: str) -> None:
    with urllib.request.urlopen(base_url + "/") as resp:
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "http" not in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
    req = urllib.request.Request(base_url + "/", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(req)
    assert exc.value.code == 405
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(base_url + "/area/regso/nope")
    assert exc.value.code == 404


def test_area_table_downloads(app) -> None:  # type: ignore[no-untyped-def]
    """Every table shown can be downloaded, including an area page's comparison table."""
    html = app.handle("/area/stadsdel/norrby", "").body.decode()
    assert "/download/area-stadsdel-norrby.csv" in html
    r = app.handle("/download/area-stadsdel-norrby.csv", "")
    assert r.status == 200
    text = r.body.decode("utf-8-sig")
    assert text.startswith("Nyckeltal;") and "Norrby" in text and "Borås" in text
    assert app.handle("/download/area-regso-1490R999.csv", "").status == 404

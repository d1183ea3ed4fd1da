"""Issue 18, finding 6: broken outputs are never reported as success.

Reproduced on the code before the fix: on a full disk report.pdf was truncated (no ``%%EOF``)
yet "wrote report.pdf" with exit 0, and a truncated report.html was left behind; a database
truncated at 90 % gave an empty report with exit 0; corrupt blocks gave raw tracebacks in
``report``/``serve``; an unwritable output directory gave a ``PermissionError`` traceback.

A full disk is simulated by making the write (or the flush to disk) fail with ``ENOSPC``; the
database is damaged by truncating a copy or overwriting blocks of it.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from grannskap.cli import main
from grannskap.errors import DatabaseError, OutputError
from grannskap.outputs import write_bytes, write_text


def _enospc(*_a: Any, **_k: Any) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# ---- atomic writes ---------------------------------------------------------------------------
def test_failed_write_keeps_the_previous_file(tmp_path: Path, monkeypatch: Any) -> None:
    target = tmp_path / "report.html"
    target.write_text("old report", encoding="utf-8")
    monkeypatch.setattr("grannskap.outputs.os.fsync", _enospc)
    with pytest.raises(OutputError, match="No space left"):
        write_text(target, "new report " * 1000)
    assert target.read_text(encoding="utf-8") == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temp file left


def test_failed_first_write_leaves_no_file(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr("grannskap.outputs.os.replace", _enospc)
    with pytest.raises(OutputError):
        write_bytes(tmp_path / "x.csv", b"a,b\n")
    assert list(tmp_path.iterdir()) == []


def test_write_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert (target.stat().st_mode & 0o777) == 0o640  # the file keeps its permissions


def test_unwritable_output_directory_is_one_line(tmp_path: Path, capsys: Any) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    out = blocker / "sub"  # a folder below a file: cannot be created, even as root
    with pytest.raises(OutputError):
        write_text(out / "report.html", "x")
    code = main(
        [
            "classify",
            "--db",
            str(tmp_path / "none.duckdb"),
            "--year",
            "2022",
            "--out",
            str(out / "c.csv"),
        ]
    )
    assert code != 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


# ---- report files ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def report_con(small_db: Path) -> Any:
    from grannskap.store import connect

    con = connect(small_db, read_only=True)
    yield con
    con.close()


def test_full_disk_during_xlsx_keeps_the_previous_report(
    report_con: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    import xlsxwriter

    from grannskap.report.build import build_report

    (tmp_path / "report.xlsx").write_bytes(b"previous")
    monkeypatch.setattr(xlsxwriter.Workbook, "close", _enospc)
    with pytest.raises(OutputError, match="report.xlsx"):
        build_report(report_con, tmp_path, formats=("html", "xlsx"))
    assert (tmp_path / "report.xlsx").read_bytes() == b"previous"
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_truncated_pdf_is_not_reported_as_written(
    report_con: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """Chromium on a full disk: a PDF cut off before %%EOF."""
    from grannskap.report import build as build_mod

    def truncated(ctx, sections, html_path, pdf_path, out):  # type: ignore[no-untyped-def]
        pdf_path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n")  # no %%EOF

    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7 previous\n%%EOF\n")
    monkeypatch.setattr(build_mod, "_write_pdf", truncated)
    with pytest.raises(OutputError, match="incomplete"):
        build_mod.build_report(report_con, tmp_path, formats=("html", "pdf"))
    assert (tmp_path / "report.pdf").read_bytes() == b"%PDF-1.7 previous\n%%EOF\n"


def test_verify_pdf_counts_pages(tmp_path: Path) -> None:
    from grannskap.report.pdf import verify_pdf

    if shutil.which("pdfinfo") is None:
        pytest.skip("poppler's pdfinfo is not installed (and pypdf is optional)")
    # a minimal one-page PDF (PDF 1.4, ISO 32000-1 §7.5), offsets computed below
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    body += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    good = tmp_path / "good.pdf"
    good.write_bytes(body)
    assert verify_pdf(good) == 1
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(body[: len(body) // 2])
    with pytest.raises(OutputError):
        verify_pdf(bad)


# ---- damaged databases -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def damaged(small_db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("damaged")
    size = small_db.stat().st_size
    out = {}
    for frac in (0.9, 0.5):
        p = d / f"trunc{int(frac * 100)}.duckdb"
        shutil.copy(small_db, p)
        with open(p, "r+b") as fh:
            fh.truncate(int(size * frac))
        out[f"trunc{int(frac * 100)}"] = p
    p = d / "blocks.duckdb"
    shutil.copy(small_db, p)
    with open(p, "r+b") as fh:  # overwrite 4 kB in 20 places after the headers
        for off in range(3 * 262144, size, max(1, size // 20)):
            fh.seek(off)
            fh.write(b"\xa5" * 4096)
    out["blocks"] = p
    return out


COMMANDS = [
    ["report", "--format", "html", "--out", "{out}"],
    ["classify", "--year", "2022", "--out", "{out}/c.csv"],
    ["goals"],
    ["segregation", "--year", "2022", "--n-boot", "2", "--n-sim", "0", "--out", "{out}/s.csv"],
]


@pytest.mark.parametrize("kind", ["trunc90", "trunc50", "blocks"])
@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: c[0])
def test_damaged_database_is_one_line_and_non_zero(
    kind: str, cmd: list[str], damaged: dict[str, Path], tmp_path: Path, capsys: Any
) -> None:
    args = [a.replace("{out}", str(tmp_path)) for a in cmd]
    code = main([*args, "--db", str(damaged[kind])])
    captured = capsys.readouterr()
    assert code != 0, captured.out
    lines = [ln for ln in captured.err.strip().splitlines() if ln.startswith("grannskap: error")]
    assert lines and "Traceback" not in captured.err, captured.err
    assert not (tmp_path / "report.html").exists()


def test_connect_refuses_a_truncated_file(damaged: dict[str, Path]) -> None:
    from grannskap.store import connect

    with pytest.raises(DatabaseError, match="truncated"):
        connect(damaged["trunc90"], read_only=True)


@pytest.mark.parametrize("kind", ["trunc90", "blocks"])
def test_serve_on_a_damaged_database_exits_with_one_line(
    kind: str, damaged: dict[str, Path]
) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "grannskap", "serve", "--port", "0", "--db", str(damaged[kind])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("grannskap: error")

"""report.pdf: print the self-contained HTML with headless Chromium (Debian's ``chromium``).

One Chromium pass. Page numbers come from the CSS ``@page`` margin boxes in ``report.css``
(Chromium ≥ 131); the contents list is the HTML's ``<nav>``, whose entries are links to the
sections in the PDF, and the PDF outline (bookmarks) is generated from the headings; figure and
table numbers come from the report itself.

The contents list gives no page numbers: Chromium does not support CSS ``target-counter()``,
and getting them took a second print pass (pages read back with ``pdftotext``, the report
printed again): 2x the time of the PDF. WeasyPrint supports ``target-counter()`` but printed
the same ten-year report in 63 s wall / 10 s CPU against Chromium's 17 s wall, one pass, on
the same loaded machine (2 Dec 2026), and it lays the report's grids out differently (no
``repeat(auto-fit)``: 48 pages instead of 34), so Chromium with a linked contents list it is. No network: Chromium runs with background
networking, component updates and sync disabled, and the HTML references nothing external.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from grannskap.errors import PdfUnavailable

__all__ = [
    "find_chromium",
    "html_to_pdf",
    "verify_pdf",
    "PdfUnavailable",
    "CHROMIUM_ARGS",
]

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def find_chromium() -> str | None:
    """``$GRANNSKAP_CHROMIUM``, else chromium/chromium-browser/google-chrome on PATH."""
    env = os.environ.get("GRANNSKAP_CHROMIUM")
    if env and Path(env).exists():
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def html_to_pdf(html_path: Path, pdf_path: Path, *, timeout: float = 120.0) -> Path:
    exe = find_chromium()
    if exe is None:
        raise PdfUnavailable(
            "Chromium was not found (install Debian's `chromium` or set GRANNSKAP_CHROMIUM)"
        )
    with tempfile.TemporaryDirectory(prefix="grannskap-chromium-") as profile:
        cmd = [
            exe,
            *CHROMIUM_ARGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            "--generate-pdf-document-outline",
            f"--print-to-pdf={pdf_path.resolve()}",
            html_path.resolve().as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfUnavailable(
                f"Chromium did not finish printing {html_path} within {timeout:.0f} s"
            ) from None
    if proc.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        tail = (proc.stderr or "").strip().splitlines()[-1:] or ["no output"]
        raise PdfUnavailable(
            f"Chromium failed to print {html_path} (exit {proc.returncode}): {tail[0]}"
        )
    return pdf_path


def verify_pdf(pdf_path: Path) -> int:
    """Check that ``pdf_path`` is a complete PDF before it is reported as written; return its
    page count (0 when neither pypdf nor poppler's ``pdfinfo`` is there to count).

    A PDF cut short (disk full while Chromium wrote it) lacks the ``%%EOF`` marker at its end;
    the page count comes from pypdf if installed, else ``pdfinfo``. Raises
    :class:`~grannskap.errors.OutputError` naming the file.
    """
    from grannskap.errors import OutputError

    try:
        size = pdf_path.stat().st_size
        with open(pdf_path, "rb") as fh:
            head = fh.read(8)
            fh.seek(max(0, size - 1024))
            tail = fh.read()
    except OSError as exc:
        raise OutputError(f"{pdf_path}: cannot read the PDF back ({exc.strerror})") from None
    if not head.startswith(b"%PDF-") or b"%%EOF" not in tail:
        raise OutputError(
            f"{pdf_path}: the PDF is incomplete ({size} bytes, no %%EOF at the end); "
            "is the disk full?"
        )
    pages = _page_count(pdf_path)
    if pages == 0 and shutil.which("pdfinfo") is not None:
        raise OutputError(f"{pdf_path}: the PDF has no pages")
    return pages


def _page_count(pdf_path: Path) -> int:
    """Pages by pypdf, else by pdfinfo, else 0 (not countable here)."""
    import re

    from grannskap.errors import OutputError

    try:
        import pypdf
    except ImportError:
        pypdf = None
    if pypdf is not None:
        try:
            return len(pypdf.PdfReader(str(pdf_path)).pages)
        except Exception as exc:  # noqa: BLE001 - any parse failure means a broken file
            raise OutputError(f"{pdf_path}: the PDF cannot be read ({exc})") from None
    exe = shutil.which("pdfinfo")
    if exe is None:
        return 0
    proc = subprocess.run(
        [exe, str(pdf_path)], capture_output=True, text=True, timeout=60, check=False
    )
    m = re.search(r"^Pages:\s+(\d+)", proc.stdout, re.MULTILINE)
    if proc.returncode != 0 or m is None:
        err = (proc.stderr or "").strip().splitlines()[-1:] or ["no page count"]
        raise OutputError(f"{pdf_path}: the PDF cannot be read ({err[0]})")
    return int(m.group(1))

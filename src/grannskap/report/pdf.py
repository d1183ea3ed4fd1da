"""report.pdf: print the self-contained HTML with headless Chromium (Debian's ``chromium``).

Page numbers come from the CSS ``@page`` margin boxes in ``report.css`` (Chromium ≥ 131),
the table of contents from the HTML's ``<nav>`` (plus a PDF outline from the headings), and
figure/table numbers from the report itself. No network: Chromium runs with background
networking, component updates and sync disabled, and the HTML references nothing external.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from grannskap.errors import PdfUnavailable

__all__ = ["find_chromium", "html_to_pdf", "section_pages", "PdfUnavailable", "CHROMIUM_ARGS"]

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


def section_pages(pdf_path: Path, headings: list[tuple[str, int, str]]) -> dict[str, int] | None:
    """Page on which each section heading ``(name, number, title)`` is printed, read back from
    the PDF with poppler's ``pdftotext``; ``None`` when pdftotext is not installed or a heading
    is not found (then the table of contents is printed without page numbers)."""
    import re

    exe = shutil.which("pdftotext")
    if exe is None:
        return None
    try:
        text = subprocess.run(
            [exe, "-layout", str(pdf_path), "-"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    except (subprocess.SubprocessError, OSError):
        return None
    pages = text.split("\f")
    found: dict[str, int] = {}
    for name, number, title in headings:
        words = r"\s+".join(re.escape(w) for w in title.split())
        pattern = re.compile(rf"^\s*{number}\s+{words}\s*$", re.MULTILINE)
        # the contents list on page 1 shows "N. Title"; headings show "N Title" (no dot)
        hit = next((i for i, page in enumerate(pages, start=1) if pattern.search(page)), None)
        if hit is None:
            return None
        found[name] = hit
    return found

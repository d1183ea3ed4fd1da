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

__all__ = [
    "find_chromium",
    "html_to_pdf",
    "section_pages",
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

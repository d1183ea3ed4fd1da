"""Writing output files safely: atomically, and without formulas from data.

Every file grannskap writes (report files, CSV from the CLIs, dashboard downloads) goes
through this module:

* :func:`atomic_path` / :func:`write_bytes` / :func:`write_text` write into a temporary
  file in the target's folder and rename it over the target only when the write completed,
  so a failed write (disk full, killed process) leaves the previous file or none, never a
  truncated one; the failure is an :class:`~grannskap.errors.OutputError` (one line, exit ≠ 0).
* :func:`neutralise` / :func:`safe_frame` / :func:`write_csv` / :func:`csv_bytes` keep text
  from the data (area, stadsdel, programme names) from becoming a live formula when a CSV is
  opened in a spreadsheet: a text cell beginning with ``= + - @``, a tab or a carriage return
  gets a leading apostrophe (OWASP, "CSV Injection",
  https://owasp.org/www-community/attacks/CSV_Injection). The xlsx writer instead writes text
  as strings with ``strings_to_formulas`` off (:mod:`grannskap.report.xlsx`).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grannskap.errors import OutputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FORMULA_PREFIXES",
    "neutralise",
    "safe_frame",
    "csv_bytes",
    "write_csv",
    "atomic_path",
    "write_bytes",
    "write_text",
    "output_error",
]

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection);
#: the full-width forms are read as formulas by some spreadsheet programs too.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


_BREAKS = frozenset("\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")  # str.splitlines' breaks


def neutralise(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would run as a formula; such text
    gets a leading apostrophe (``'=HYPERLINK(...)`` is shown as text). Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are :func:`neutralise`-d."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or str(s.dtype) in ("string", "str", "category"):
            out[col] = s.astype(object).map(neutralise)
    out.columns = [neutralise(str(c)) if isinstance(c, str) else c for c in out.columns]
    if out.index.dtype == object:
        out.index = out.index.map(neutralise)
    return out


def csv_bytes(
    frame: pd.DataFrame,
    *,
    preamble: str | Sequence[str] = "",
    bom: bool = False,
    **kwargs: Any,
) -> bytes:
    """The CSV text of ``frame`` (neutralised, UTF-8) with comment lines before it.

    ``preamble`` is a list of lines (line breaks inside a line, e.g. in a title from the
    data, become blanks, so that no line starts outside the comment) or one string whose
    ``"\\n"`` separate the lines.
    """
    buf = io.StringIO(newline="")
    lines = preamble.split("\n") if isinstance(preamble, str) else list(preamble)
    if isinstance(preamble, str) and not preamble:
        lines = []
    for ln in lines:
        flat = "".join(" " if ch in _BREAKS or ch == "\n" else ch for ch in ln)
        buf.write(neutralise(flat) + "\r\n")
    kwargs.setdefault("index", False)
    # RFC 4180 line ends: with "\n" alone, csv leaves a field holding "\r" unquoted, and a
    # spreadsheet starts a new row (and a formula) inside the field
    kwargs.setdefault("lineterminator", "\r\n")
    safe_frame(frame).to_csv(buf, **kwargs)
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


def write_csv(frame: pd.DataFrame, path: str | Path, **kwargs: Any) -> Path:
    """Write ``frame`` as CSV to ``path``: neutralised and atomically (see module doc)."""
    return write_bytes(path, csv_bytes(frame, **kwargs))


def output_error(path: str | Path, exc: OSError) -> OutputError:
    """A one-line :class:`OutputError` for an ``OSError`` while writing ``path``."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OutputError(f"{path}: cannot write the file ({reason}); nothing was written")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed over ``path`` when the block succeeds.

    The temporary file is in the same folder (a rename within one file system is atomic), is
    flushed to disk before the rename, and is removed when the block raises. An ``OSError``
    (no space, no permission, missing folder) becomes an :class:`OutputError`.
    """
    target = Path(path)
    try:
        # keeps the file's extension (GDAL warns about a GeoPackage named *.tmp)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.stem}.tmp-", suffix=target.suffix, dir=target.parent
        )
    except OSError as exc:
        raise output_error(target, exc) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            with contextlib.suppress(OSError):
                os.chmod(tmp, 0o644)  # mkstemp's 0600 would surprise; what open() gives
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise output_error(target, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
    return Path(path)


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_path`)."""
    return write_bytes(path, text.encode(encoding))

"""Limits every import passes before a parser sees the file (issue 18, finding 5).

The attack: a 1.9 kB xlsx declaring the sheet ``A1:XFD1048576`` made the reader allocate
6 GB in 45 s, and a 1.9 MB deflate bomb ran past 400 s. Checked here, from the zip directory
and the first bytes of each sheet only (nothing is decompressed in full):

* the file size (:data:`MAX_FILE_BYTES`, ``GRANNSKAP_MAX_IMPORT_BYTES``);
* for zip-based files (xlsx): the total uncompressed size (``GRANNSKAP_MAX_UNZIPPED_BYTES``),
  the compression ratio of large members (``GRANNSKAP_MAX_ZIP_RATIO``; real SCB exports are
  at most ~10:1), and each sheet's declared dimension (``GRANNSKAP_MAX_XLSX_CELLS``).

Each refusal is an :class:`~grannskap.errors.InputError` naming the file, the limit and the
environment variable that raises it.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

from grannskap.errors import InputError, Problem

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_UNZIPPED_BYTES",
    "MAX_ZIP_RATIO",
    "MAX_XLSX_CELLS",
    "check_file_size",
    "check_zip",
    "check_geojson",
    "MAX_GEOJSON_POSITIONS",
    "MAX_JSON_DEPTH",
]

MAX_FILE_BYTES = 2_000_000_000
MAX_UNZIPPED_BYTES = 2_000_000_000
MAX_ZIP_RATIO = 200
MAX_XLSX_CELLS = 50_000_000
MAX_GEOJSON_POSITIONS = 5_000_000  # all of Sweden's DeSO polygons: ~2.4 M positions
MAX_JSON_DEPTH = 32  # a MultiPolygon position is 6 levels deep inside a FeatureCollection
_RATIO_FROM = 10_000_000  # small members may compress very well (empty sheets, styles)

_DIM = re.compile(
    rb'<dimension\s+ref="\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?"'
)


def _limit(env: str, default: int) -> int:
    text = os.environ.get(env, "").strip()
    try:
        return int(text) if text else default
    except ValueError:
        return default


def _refuse(name: str, what: str, value: object, limit: int, env: str) -> InputError:
    return InputError(
        Problem(
            name,
            f"{what} ({value:,}) is over the import limit ({limit:,}); if the file is "
            f"genuine, raise the limit with the environment variable {env}",
            value=value,
            expected=f"at most {limit:,}",
        )
    )


def check_file_size(path: Path) -> None:
    """Refuse a file larger than ``GRANNSKAP_MAX_IMPORT_BYTES`` before reading it."""
    limit = _limit("GRANNSKAP_MAX_IMPORT_BYTES", MAX_FILE_BYTES)
    size = path.stat().st_size
    if size > limit:
        raise _refuse(
            path.name, "the file size in bytes", size, limit, "GRANNSKAP_MAX_IMPORT_BYTES"
        )


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check_zip(data: bytes, name: str) -> None:
    """Limits of a zip-based file (xlsx); a file that is no zip is left to its parser."""
    if not data.startswith(b"PK"):
        return
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - any damage: the parser gives its own clear error
        return
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        max_total = _limit("GRANNSKAP_MAX_UNZIPPED_BYTES", MAX_UNZIPPED_BYTES)
        if total > max_total:
            raise _refuse(
                name, "the uncompressed size in bytes", total, max_total,
                "GRANNSKAP_MAX_UNZIPPED_BYTES",
            )  # fmt: skip
        max_ratio = _limit("GRANNSKAP_MAX_ZIP_RATIO", MAX_ZIP_RATIO)
        for i in infos:
            if i.file_size >= _RATIO_FROM and i.file_size > max_ratio * max(i.compress_size, 1):
                raise _refuse(
                    f"{name}:{i.filename}", "the compression ratio",
                    i.file_size // max(i.compress_size, 1), max_ratio, "GRANNSKAP_MAX_ZIP_RATIO",
                )  # fmt: skip
        max_cells = _limit("GRANNSKAP_MAX_XLSX_CELLS", MAX_XLSX_CELLS)
        for i in infos:
            if not (i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")):
                continue
            try:
                with zf.open(i) as fh:
                    head = fh.read(4096)
            except Exception:  # noqa: BLE001 - zlib/struct errors of a damaged member: parser's job
                continue
            m = _DIM.search(head)
            if m is None or m.group(3) is None:
                continue
            rows = int(m.group(4)) - int(m.group(2)) + 1
            cols = _column_number(m.group(3)) - _column_number(m.group(1)) + 1
            cells = max(rows, 0) * max(cols, 0)
            if cells > max_cells:
                raise _refuse(
                    f"{name}:{i.filename}", "the declared sheet size in cells",
                    cells, max_cells, "GRANNSKAP_MAX_XLSX_CELLS",
                )  # fmt: skip


_DEEP_ARRAYS = rb"(?:\[\s*){%d}"  # nested arrays: [[[[ ...
_DEEP_OBJECTS = rb'(?:\{\s*"(?:[^"\\]|\\.)*"\s*:\s*){%d}'  # {"a": {"a": ...


def check_geojson(data: bytes, name: str) -> None:
    """Positions (an upper bound: the number of ``[``) and nesting of a GeoJSON file, counted
    at C speed before ``json.loads`` (10 M vertices inflated report.html to 130 MB; deep
    nesting ran into Python's recursion limit)."""
    max_pos = _limit("GRANNSKAP_MAX_GEOJSON_POSITIONS", MAX_GEOJSON_POSITIONS)
    n = data.count(b"[")
    if n > max_pos:
        raise _refuse(
            name, "the number of coordinate arrays", n, max_pos, "GRANNSKAP_MAX_GEOJSON_POSITIONS"
        )
    depth = _limit("GRANNSKAP_MAX_JSON_DEPTH", MAX_JSON_DEPTH)
    for pattern in (_DEEP_ARRAYS, _DEEP_OBJECTS):
        if re.search(pattern % (depth + 1), data):
            raise _refuse(name, "the nesting depth", depth + 1, depth, "GRANNSKAP_MAX_JSON_DEPTH")

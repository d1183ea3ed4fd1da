"""Reading delimited text safely: decoding, csv errors and ragged rows become clear problems."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from grannskap.errors import InputError, Problem, ValidationError
from grannskap.ingest.scb_export import decode_text

__all__ = ["read_csv_records"]


def read_csv_records(
    data: bytes, file_name: str, required: Sequence[str]
) -> list[tuple[int, dict[str, str]]]:
    """``(line number, row)`` pairs of a comma-separated file with a header row.

    Every row has every header column (missing cells are ``""``); rows with more cells than
    the header, a missing required column and malformed quoting are reported as problems.
    """
    text = decode_text(data, file_name)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if not header:
            raise InputError(
                Problem(
                    file_name, "the file is empty", expected=f"a header row with {list(required)}"
                )
            )
        header = [h.strip() for h in header]
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(
                Problem(
                    file_name,
                    f"missing column(s) {missing}",
                    row=1,
                    expected=f"columns {list(required)}",
                )
            )
        records: list[tuple[int, dict[str, str]]] = []
        problems: list[Problem] = []
        for line, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                problems.append(
                    Problem(
                        file_name,
                        f"{len(cells)} cells but the header has {len(header)}",
                        row=line,
                        expected=f"{len(header)} cells",
                    )
                )
                continue
            cells = [*cells, *[""] * (len(header) - len(cells))]
            records.append((line, dict(zip(header, cells, strict=True))))
    except csv.Error as exc:
        raise InputError(
            Problem(
                file_name,
                f"malformed CSV ({exc})",
                expected="comma-separated text with a header row",
            )
        ) from exc
    ValidationError.raise_if_any(problems)
    return records

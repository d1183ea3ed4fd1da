"""The column-wise SCB parser (python-calamine, labels worked out once per column) gives exactly
the ParsedTable of the per-cell openpyxl parser it replaced.

Reference digests: the eleven demo exports parsed by ``grannskap.ingest.scb_export`` at commit
31829d2 (per-cell parser on openpyxl), every observation row ``repr``-ed in order plus table id,
title, year, notes, indicators and areas. A whole ``init --demo`` database built before and after
the change had identical observation/indicator/area/provenance tables
(``python -m benchmarks.db_digest``).
"""

from __future__ import annotations

import hashlib

import pytest

from grannskap.demo import demo_files
from grannskap.errors import ValidationError
from grannskap.ingest.model import ParsedTable
from grannskap.ingest.scb_export import parse_scb_xlsx

REFERENCE = {
    "000005F8": "655d10edf265c5d8",
    "000005FB": "7aadf68efe176cc1",
    "000005FC": "156f5425c50f00d3",
    "000005FE": "e3655e5051ff7fc7",
    "000005FF": "51ec6c816b190590",
    "000005FM": "29481c0f942775c6",
    "000005LO": "97ea79277386ef88",
    "000005MO": "95408b5744c7a1d8",
    "000006OC": "08f19468bf51695c",
    "000006TA": "5fc8c265251abcaa",
    "000007A8": "b9c7fe001ee82dfd",
}


def _digest(p: ParsedTable) -> str:
    h = hashlib.sha256()
    for row in p.observations.itertuples(index=False):
        h.update(repr(tuple(row)).encode())
    h.update(repr((p.table_id, p.title, p.year, p.notes, p.indicators, p.areas)).encode())
    return h.hexdigest()[:16]


def test_the_eleven_exports_parse_exactly_as_before() -> None:
    files = [f for f in demo_files() if f.suffix == ".xlsx"]
    got = {f.stem.split("_")[0]: _digest(parse_scb_xlsx(f.read_bytes(), f.name)) for f in files}
    assert got == REFERENCE


def test_problems_come_in_row_then_column_order(tmp_xlsx, scb_rows) -> None:
    """The per-cell parser reported problems in sheet order; the column-wise one must too."""
    rows = scb_rows(
        [
            ["1490C1010", 1, "abc", -2],
            ["NOTACODE", 1, 2, 3],
            ["1490C1020", "-", "x", "y"],
        ]
    )
    with pytest.raises(ValidationError) as err:
        parse_scb_xlsx(tmp_xlsx(rows).read_bytes(), "o.xlsx")
    where = [(p.row, p.column, p.value) for p in err.value.problems]
    assert where == [(6, "C", "abc"), (6, "D", "-2"), (7, "A", "NOTACODE"), (8, "D", "y")]

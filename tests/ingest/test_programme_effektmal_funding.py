"""The programme file: Borås' 13 effektmål as published, funding rows year × målområde × intervention."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from grannskap.demo import demo_files
from grannskap.errors import ValidationError
from grannskap.ingest.programme import parse_programme

PROG = [p for p in demo_files() if p.name == "programme.yaml"][0]


def test_embedded_programme_has_the_13_effektmal_as_borås_published_them(shared_data: Path) -> None:
    """Texts, order and målområde equal ../shared/data/boras_programme/effektmal_2021_2024.csv
    (Borås Stad, målbild 2021–2024, adopted 2021-11-22)."""
    prog = parse_programme(PROG.read_bytes(), PROG.name)
    with (shared_data / "boras_programme" / "effektmal_2021_2024.csv").open(encoding="utf-8") as f:
        published = list(csv.DictReader(f))
    em = prog.effektmal
    assert len(em) == len(published) == 13
    assert list(em["name_sv"]) == [r["effektmal"] for r in published]
    assert list(em["malomrade_id"]) == [r["malomrade_id"] for r in published]
    assert em["known"].all() and (em["name_en"] != "").all()
    links = dict(zip(em["effektmal_id"], em["indicator_ids"], strict=True))
    assert links["E06"] == ["polisen.utsatta_omraden"]
    assert links["E11"] == ["forgymnasial"]
    assert set(links["E12"]) == {"sysselsatta", "arbetslosa"}
    assert links["E07"] == ["hyresratt"]
    assert links["E08"] == []
    # no intervention type is set by the sources: stored as not specified
    assert set(prog.interventions["type"]) == {"okand"}


_BASE = """
programme: {id: p, name: P, kommun: "1490"}
malomraden: [{id: M1, name_sv: A}, {id: M2, name_sv: B}]
interventions: [{id: i1, name: Insats 1, type: ej angiven}]
"""


def test_funding_rows_by_year_malomrade_intervention_and_funder() -> None:
    text = (
        _BASE
        + """
funding:
  - source: egen bokföring
    kind: spent
    rows:
      - {year: 2023, malomrade: M1, intervention: i1, funding_source: Kommunen, amount: "1 200 000"}
      - {year: 2023, malomrade: M1, intervention: i1, funding_source: Tillväxtverket, amount: "350 tkr"}
      - {year: 2024, malomrade: M2, funding_source: Kommunen, kind: budget, amount: "2,5 milj"}
"""
    )
    f = parse_programme(text.encode(), "p.yaml").funding
    assert list(f["dimension"]) == ["intervention"] * 3
    assert list(f["kind"]) == ["spent", "spent", "budget"]
    assert list(f["amount_sek"]) == [Decimal(1_200_000), Decimal(350_000), Decimal(2_500_000)]
    assert list(f["funding_source"]) == ["Kommunen", "Tillväxtverket", "Kommunen"]
    assert pd.isna(f["intervention_id"].iloc[2]) and f["malomrade_id"].iloc[2] == "M2"


def test_funding_rows_problems_name_the_row() -> None:
    text = (
        _BASE
        + """
funding:
  - rows:
      - {year: 2023, malomrade: M7, intervention: nope, kind: gift, amount: "x"}
"""
    )
    with pytest.raises(ValidationError) as err:
        parse_programme(text.encode(), "p.yaml")
    out = "\n".join(err.value.lines())
    for needle in (
        "unknown målområde",
        "unknown intervention",
        "unknown funding kind",
        "not an amount",
    ):
        assert needle in out
    assert "funding[0].rows[0]" in out

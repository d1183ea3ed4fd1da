"""Funding ledger and its reconciliation: totals per year vs per category vs the grant.

The reconciliation shows what it finds — the sum of each column, each total stated in the
source, the difference between them to the krona, and the part of the grant not spent — and
never rounds a discrepancy away. Amounts are ``Decimal`` (exact kronor).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd

from grannskap.format import format_kr, format_percent
from grannskap.store.funding import funding_by, funding_entries

if TYPE_CHECKING:
    import duckdb

__all__ = ["Reconciliation", "reconcile", "read_funding", "funding_by"]


@dataclass(frozen=True)
class Reconciliation:
    programme_id: str
    grant: Decimal | None
    grant_label: str | None
    sum_per_year: Decimal
    sum_per_category: Decimal
    stated_total_year: Decimal | None
    stated_total_category: Decimal | None
    per_year: pd.DataFrame  # year, amount_sek
    per_category: pd.DataFrame  # category, malomrade_id, amount_sek
    findings: list[str] = field(default_factory=list)  # plain Swedish sentences, one per finding

    @property
    def spent(self) -> Decimal:
        """The spending the source states (its printed total), else the sum per year."""
        return self.stated_total_year if self.stated_total_year is not None else self.sum_per_year

    @property
    def unspent(self) -> Decimal | None:
        return None if self.grant is None else self.grant - self.spent

    @property
    def balanced(self) -> bool:
        totals = [self.sum_per_year, self.sum_per_category]
        totals += [t for t in (self.stated_total_year, self.stated_total_category) if t is not None]
        return len(set(totals)) == 1

    def table(self) -> pd.DataFrame:
        """The reconciliation as rows (Swedish labels) for reports."""
        rows = [
            ("Summa per år (beräknad)", self.sum_per_year),
            ("Totalsumma per år (angiven i källan)", self.stated_total_year),
            ("Summa per målområde/kostnadsslag (beräknad)", self.sum_per_category),
            ("Totalsumma per målområde (angiven i källan)", self.stated_total_category),
            ("Beviljat statsbidrag", self.grant),
            ("Ej förbrukat av bidraget (beviljat − angiven totalsumma)", self.unspent),
        ]
        return pd.DataFrame(rows, columns=["post", "belopp_kr"])


def reconcile(funding: pd.DataFrame, programme_id: str) -> Reconciliation:
    """Reconcile the funding rows of one programme (columns as in the ``funding`` table)."""
    f = funding[funding["programme_id"] == programme_id].copy()
    f["amount_sek"] = f["amount_sek"].map(lambda v: Decimal(str(v)))
    spent = f[f["kind"] == "spent"]
    per_year = (
        spent[spent["dimension"] == "year"]
        .groupby("year", as_index=False)["amount_sek"]
        .agg(lambda s: sum(s, Decimal(0)))
    )
    per_cat = spent[spent["dimension"] == "category"][
        ["category", "malomrade_id", "amount_sek"]
    ].reset_index(drop=True)
    sum_year = sum(per_year["amount_sek"], Decimal(0))
    sum_cat = sum(per_cat["amount_sek"], Decimal(0))

    def stated(dim: str) -> Decimal | None:
        s = f[(f["kind"] == "stated_total") & (f["dimension"] == dim)]["amount_sek"]
        return s.iloc[0] if len(s) else None

    grants = f[f["kind"] == "grant"]
    grant = sum(grants["amount_sek"], Decimal(0)) if len(grants) else None
    grant_label = str(grants["label"].iloc[0]) if len(grants) and grants["label"].iloc[0] else None
    st_year, st_cat = stated("year"), stated("category")
    findings = []
    if st_year is not None and st_year != sum_year:
        findings.append(
            f"Beloppen per år summerar till {format_kr(sum_year)}, men källans totalsumma är "
            f"{format_kr(st_year)} (skillnad {format_kr(sum_year - st_year)})."
        )
    if st_cat is not None and st_cat != sum_cat:
        findings.append(
            f"Beloppen per målområde summerar till {format_kr(sum_cat)}, men källans totalsumma är "
            f"{format_kr(st_cat)} (skillnad {format_kr(sum_cat - st_cat)})."
        )
    if sum_year != sum_cat:
        findings.append(
            f"Summan per år ({format_kr(sum_year)}) och summan per målområde ({format_kr(sum_cat)}) "
            f"skiljer sig med {format_kr(sum_year - sum_cat)}."
        )
    else:
        findings.append(
            f"Summan per år och summan per målområde stämmer överens ({format_kr(sum_year)})."
        )
    rec = Reconciliation(
        programme_id,
        grant,
        grant_label,
        sum_year,
        sum_cat,
        st_year,
        st_cat,
        per_year,
        per_cat,
        findings,
    )
    if grant is not None and rec.unspent is not None:
        label = f" ({grant_label})" if grant_label else ""
        findings.append(
            f"Av det beviljade bidraget {format_kr(grant)}{label} återstår {format_kr(rec.unspent)} "
            "enligt källans totalsumma."
        )
        if grant_label and ("milj" in grant_label.lower()):
            findings.append(
                "Bidragsbeloppet är angivet avrundat i källan (miljoner kronor med en decimal); "
                "det återstående beloppet är därför osäkert med upp till ±50 000 kr."
            )
    unspecified = per_cat[per_cat["malomrade_id"].isna()]
    if len(unspecified):
        share = (
            sum(unspecified["amount_sek"], Decimal(0)) / sum_cat * 100 if sum_cat else Decimal(0)
        )
        findings.append(
            f"{format_percent(float(share))} av kostnaderna är inte knutna till något målområde "
            f"({', '.join(str(c) for c in unspecified['category'])})."
        )
    return rec


def read_funding(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every funding row in entry order, as :func:`reconcile` takes it (the query is
    :func:`grannskap.store.funding.funding_entries`)."""
    return funding_entries(con)

"""The indicator catalogue: every indicator and group set defined once, with source bindings.

A *term* is one stored series, ``(indicator_id, breakdown)`` with a sign; a *binding* says how
one source (an SCB xlsx export, a PxWeb CSV with labels, a PxWebApi table fetched with
``grannskap fetch scb``) gives the terms in one area system. The same indicator can have
several bindings — e.g. the share of foreign-born per DeSO 2018 from the 2022 xlsx export
000005FB and per RegSO 2020 from TAB6572 for 2020–2023 — and readers ask for the indicator,
never for a table id.

Bindings of fetched PxWebApi tables follow :func:`grannskap.ingest.jsonstat.parse_jsonstat2`:
``scb.<table>.<ContentsCode>`` with breakdowns ``<variable code lower-case>=<value code>``.
Only tables whose codes are known from a recorded response are bound here (TAB6571,
ContentsCode 000007Y4, ``utlbakgrund=1``/``=2``); TAB6572/TAB6258 fetched through the API
are not bound yet because their value codes are not in a recorded response.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from grannskap.errors import ConfigError

__all__ = [
    "Term",
    "Binding",
    "Indicator",
    "Group",
    "GroupSet",
    "INDICATORS",
    "GROUP_SETS",
    "SourceKind",
    "Unit",
    "indicator",
    "group_set",
]

SourceKind = Literal["scb_xlsx", "pxweb_csv", "pxwebapi"]
Unit = Literal["percent", "persons", "dwellings", "tkr"]


@dataclass(frozen=True)
class Term:
    """One stored series (an observation's ``indicator_id`` and ``breakdown``) with a sign."""

    indicator_id: str
    breakdown: str = ""
    sign: int = 1

    @property
    def key(self) -> tuple[str, str]:
        return (self.indicator_id, self.breakdown)


def _t(indicator_id: str, breakdown: str = "", sign: int = 1) -> Term:
    return Term(indicator_id, breakdown, sign)


@dataclass(frozen=True)
class Binding:
    """How one source gives an indicator (or a group set) in one area system.

    ``parts`` maps the name of a part (``"num"``/``"den"``/``"value"``/``"weight"`` for an
    indicator, a group name for a group set) to its signed terms.
    """

    source: SourceKind
    table: str
    area_system: str  # 'deso2018', 'regso2020', ...
    parts: tuple[tuple[str, tuple[Term, ...]], ...]

    def terms(self) -> list[Term]:
        return [t for _, ts in self.parts for t in ts]

    def part(self, name: str) -> tuple[Term, ...]:
        for n, ts in self.parts:
            if n == name:
                return ts
        raise KeyError(name)


@dataclass(frozen=True)
class Indicator:
    """An indicator: a share ``num/den`` (percent), a count, or a weighted mean."""

    id: str
    name_sv: str
    name_en: str
    kind: Literal["share", "count", "mean"]
    unit: Unit
    higher_is_better: bool | None
    population_sv: str
    population_en: str
    bindings: tuple[Binding, ...]
    notes_sv: str = ""
    notes_en: str = ""

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_sv

    def notes(self, lang: str) -> str:
        return self.notes_en if lang == "en" else self.notes_sv

    @property
    def levels(self) -> tuple[str, ...]:
        """The area systems the indicator is bound in (it sums up to coarser levels)."""
        return tuple(dict.fromkeys(b.area_system for b in self.bindings))


@dataclass(frozen=True)
class Group:
    name: str
    label_sv: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_sv


@dataclass(frozen=True)
class GroupSet:
    """A partition of a population into groups, for segregation indices (first = focal)."""

    name: str
    label_sv: str
    label_en: str
    unit_sv: str
    unit_en: str
    groups: tuple[Group, ...]
    bindings: tuple[Binding, ...]

    @property
    def group_names(self) -> list[str]:
        return [g.name for g in self.groups]

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_sv


# --------------------------------------------------------------------------- series ids
FB_XLSX = "scb.000005FB"  # födelseregion per DeSO 2018, 2022 (xlsx export)
FE_XLSX = "scb.000005FE"  # utländsk/svensk bakgrund per DeSO 2018, 2022 (xlsx export)
OC_XLSX = "scb.000006OC"  # lägenheter efter upplåtelseform per DeSO 2018, 2022 (xlsx export)
FB_CSV = "scb.TAB6572"  # födelseregion per RegSO 2020, 2020-2023 (PxWeb CSV with labels)
OC_CSV = "scb.TAB6258"  # upplåtelseform per RegSO 2020, 2020-2023 (PxWeb CSV with labels)
INC_CSV = "scb.Tab2InkDesoN"  # mean löneinkomst per RegSO 2020, 2020-2023 (PxWeb CSV)
FE_API = "scb.TAB6571.000007Y4"  # utländsk/svensk bakgrund, fetched with PxWebApi v2

SVERIGE = "fodelseregion=Sverige"
LONEINKOMST = "inkomstkomponent=löneinkomst"
TENURES = ("hyresrätt", "bostadsrätt", "äganderätt")
TENURE_ALL = (*TENURES, "uppgift saknas")


def _tenure(iid: str, form: str) -> tuple[tuple[str, tuple[Term, ...]], ...]:
    return (
        ("num", (_t(iid, f"upplatelseform={form}"),)),
        ("den", tuple(_t(iid, f"upplatelseform={f}") for f in TENURE_ALL)),
    )


def _foreign_born(iid: str) -> tuple[tuple[str, tuple[Term, ...]], ...]:
    return (("num", (_t(iid), _t(iid, SVERIGE, -1))), ("den", (_t(iid),)))


CONSTANT_PRICES_SV = (
    "Medelvärde för samtliga personer i tkr, troligen i fasta priser (senaste årets "
    "penningvärde; minskningen 2022–2023 följer inflationen): läs förändringar som reala. "
    "Över flera RegSO vägt med folkmängden (en approximation: SCB:s medelvärde avser sin egen "
    "population)."
)
CONSTANT_PRICES_EN = (
    "Mean over all persons in SEK thousand, probably in constant prices (of the latest year; "
    "the fall in 2022–2023 follows inflation): read changes as real. Over several RegSO "
    "weighted by population (an approximation: SCB's mean refers to its own population)."
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "folkmangd",
        "Folkmängd",
        "Population",
        "count",
        "persons",
        None,
        "folkbokförda 31 december",
        "registered residents at 31 December",
        (
            Binding("pxweb_csv", "TAB6572", "regso2020", (("value", (_t(FB_CSV),)),)),
            Binding("scb_xlsx", "000005FE", "deso2018", (("value", (_t(FE_XLSX),)),)),
        ),
    ),
    Indicator(
        "utrikes_fodda",
        "Utrikes födda",
        "Foreign-born",
        "share",
        "percent",
        None,
        "andel av befolkningen (totalt − född i Sverige)",
        "share of the population (total − born in Sweden)",
        (
            Binding("pxweb_csv", "TAB6572", "regso2020", _foreign_born(FB_CSV)),
            Binding("scb_xlsx", "000005FB", "deso2018", _foreign_born(FB_XLSX)),
        ),
    ),
    Indicator(
        "utlandsk_bakgrund",
        "Utländsk bakgrund",
        "Foreign background",
        "share",
        "percent",
        None,
        "andel av befolkningen",
        "share of the population",
        (
            Binding(
                "scb_xlsx",
                "000005FE",
                "deso2018",
                (
                    ("num", (_t(FE_XLSX, "utlandsk_svensk_bakgrund=utländsk bakgrund"),)),
                    ("den", (_t(FE_XLSX),)),
                ),
            ),
            *(
                Binding(
                    "pxwebapi",
                    "TAB6571",
                    system,
                    (
                        ("num", (_t(FE_API, "utlbakgrund=1"),)),
                        ("den", (_t(FE_API, "utlbakgrund=1"), _t(FE_API, "utlbakgrund=2"))),
                    ),
                )
                for system in ("deso2018", "regso2020")
            ),
        ),
    ),
    *(
        Indicator(
            form.replace("ä", "a"),
            {"hyresrätt": "Hyresrätter", "bostadsrätt": "Bostadsrätter"}.get(form, "Äganderätter"),
            {"hyresrätt": "Rental dwellings", "bostadsrätt": "Tenant-owned dwellings"}.get(
                form, "Owner-occupied dwellings"
            ),
            "share",
            "percent",
            None,
            "andel av lägenheterna",
            "share of dwellings",
            (
                Binding("pxweb_csv", "TAB6258", "regso2020", _tenure(OC_CSV, form)),
                Binding("scb_xlsx", "000006OC", "deso2018", _tenure(OC_XLSX, form)),
            ),
        )
        for form in TENURES
    ),
    Indicator(
        "loneinkomst_medel",
        "Löneinkomst, medelvärde (tkr, troligen fasta priser)",
        "Wage income, mean (SEK thousand, probably constant prices)",
        "mean",
        "tkr",
        True,
        "samtliga personer",
        "all persons",
        (
            Binding(
                "pxweb_csv",
                "Tab2InkDesoN",
                "regso2020",
                (("value", (_t(INC_CSV, LONEINKOMST),)), ("weight", (_t(FB_CSV),))),
            ),
        ),
        CONSTANT_PRICES_SV,
        CONSTANT_PRICES_EN,
    ),
)

GROUP_SETS: tuple[GroupSet, ...] = (
    GroupSet(
        "background",
        "utländsk och svensk bakgrund",
        "foreign and Swedish background",
        "personer",
        "persons",
        (
            Group("foreign", "utländsk bakgrund", "foreign background"),
            Group("swedish", "svensk bakgrund", "Swedish background"),
        ),
        (
            Binding(
                "scb_xlsx",
                "000005FE",
                "deso2018",
                (
                    ("foreign", (_t(FE_XLSX, "utlandsk_svensk_bakgrund=utländsk bakgrund"),)),
                    ("swedish", (_t(FE_XLSX, "utlandsk_svensk_bakgrund=svensk bakgrund"),)),
                ),
            ),
            *(
                Binding(
                    "pxwebapi",
                    "TAB6571",
                    system,
                    (
                        ("foreign", (_t(FE_API, "utlbakgrund=1"),)),
                        ("swedish", (_t(FE_API, "utlbakgrund=2"),)),
                    ),
                )
                for system in ("deso2018", "regso2020")
            ),
        ),
    ),
    GroupSet(
        "birth_region",
        "utrikes och inrikes födda",
        "foreign-born and Swedish-born",
        "personer",
        "persons",
        (
            Group("foreign_born", "utrikes födda", "foreign-born"),
            Group("swedish_born", "födda i Sverige", "born in Sweden"),
        ),
        (
            Binding(
                "pxweb_csv",
                "TAB6572",
                "regso2020",
                (
                    ("foreign_born", (_t(FB_CSV), _t(FB_CSV, SVERIGE, -1))),
                    ("swedish_born", (_t(FB_CSV, SVERIGE),)),
                ),
            ),
            Binding(
                "scb_xlsx",
                "000005FB",
                "deso2018",
                (
                    ("foreign_born", (_t(FB_XLSX), _t(FB_XLSX, SVERIGE, -1))),
                    ("swedish_born", (_t(FB_XLSX, SVERIGE),)),
                ),
            ),
        ),
    ),
    GroupSet(
        "tenure",
        "upplåtelseform (hyresrätt, bostadsrätt, äganderätt)",
        "tenure (rental, tenant-owned, owner-occupied)",
        "lägenheter",
        "dwellings",
        (
            Group("hyresratt", "hyresrätt", "rental"),
            Group("bostadsratt", "bostadsrätt", "tenant-owned"),
            Group("aganderatt", "äganderätt", "owner-occupied"),
        ),
        tuple(
            Binding(
                source,  # type: ignore[arg-type]
                table,
                system,
                tuple(
                    (form.replace("ä", "a"), (_t(iid, f"upplatelseform={form}"),))
                    for form in TENURES
                ),
            )
            for source, table, system, iid in (
                ("pxweb_csv", "TAB6258", "regso2020", OC_CSV),
                ("scb_xlsx", "000006OC", "deso2018", OC_XLSX),
            )
        ),
    ),
)


def indicator(indicator_id: str) -> Indicator:
    """The catalogue entry ``indicator_id`` (ConfigError naming the known ids otherwise)."""
    for ind in INDICATORS:
        if ind.id == indicator_id:
            return ind
    raise ConfigError(
        f"indicator {indicator_id!r} is not in the catalogue; expected one of "
        f"{[i.id for i in INDICATORS]}"
    )


def group_set(name: str) -> GroupSet:
    """The named group set (ConfigError naming the known sets otherwise)."""
    for gs in GROUP_SETS:
        if gs.name == name:
            return gs
    raise ConfigError(
        f"`--groups` was {name!r} but is expected to be one of {[g.name for g in GROUP_SETS]}"
    )

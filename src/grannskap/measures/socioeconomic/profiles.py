"""Index profiles: which observations make up each component of the socioeconomic index.

A profile says, for every component (``V1``, ``V2``, ...), how to build its numerator and
denominator from the ``observation`` table, and the component's weight. Two profiles ship:

``scb``
    SCB/Delmos' exact definition (SCB 2023, *Regionala statistikområden och områdestyper*;
    Delmos, *Områdestyper*): V1 = low economic standard (< 60 % of the national median),
    V2 = förgymnasial education among 20–64-year-olds, V3 = economic assistance >= 10 months
    and/or unemployed > 6 months among 20–64-year-olds; index = (V1 + V2 + V3) / 3. The
    variables come from person-level data (``register.*`` indicators of
    :mod:`grannskap.register.indicators`, stored with numerator and denominator).
``proxy``
    The documented proxy for SCB's public 2022 DeSO tables (the only inputs offline):
    V1 = low economic standard, SCB's *published rounded percentage* x persons
    (table 000006TA), summed to RegSO; V2 = förgymnasial education among all 25–64-year-olds
    (table 000005MO, persons with unknown education counted in the denominator);
    V3 = unemployed (*arbetslösa*) among all 16–64-year-olds (table 000007A8).

:func:`choose_profile` picks ``scb`` when its variables exist in the data, ``proxy`` otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, cast

from grannskap.errors import ConfigError, Problem, ValidationError

__all__ = [
    "Term",
    "ComponentSpec",
    "Profile",
    "SCB_PROFILE",
    "PROXY_PROFILE",
    "PROFILES",
    "ProfileName",
    "get_profile",
    "choose_profile",
    "profile_from_mapping",
    "load_profile",
]

ProfileName = Literal["scb", "proxy", "auto"]

ComponentKind = Literal["counts", "share_counts", "percent_times_base"]


@dataclass(frozen=True)
class Term:
    """One observation series: ``indicator_id`` with ``breakdown`` ('' = total)."""

    indicator_id: str
    breakdown: str = ""


@dataclass(frozen=True)
class ComponentSpec:
    """How to build one index component from observations.

    ``kind``:

    ``"counts"``
        numerator = sum of the ``numerator`` terms' values, denominator = sum of the
        ``denominator`` terms' values (both counts of persons).
    ``"share_counts"``
        one share indicator stored with its ``numerator`` and ``denominator`` columns
        (``numerator[0]``); ``denominator`` is ignored.
    ``"percent_times_base"``
        only a (rounded) percentage is published: numerator = percent / 100 x base,
        denominator = base, with ``numerator[0]`` the percentage and ``denominator[0]`` the
        base population. Results built this way carry a note saying so.
    """

    key: str
    label_sv: str
    label_en: str
    kind: ComponentKind
    numerator: tuple[Term, ...]
    denominator: tuple[Term, ...] = ()
    weight: float = 1.0

    def terms(self) -> tuple[Term, ...]:
        return self.numerator + self.denominator


@dataclass(frozen=True)
class Profile:
    """A set of components; ``population`` names the component whose denominator is the
    area's population for the too-few-inhabitants rule."""

    name: str
    components: tuple[ComponentSpec, ...]
    population: str
    description_sv: str
    notes: tuple[str, ...] = field(default=())

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.components)

    @property
    def weights(self) -> dict[str, float]:
        return {c.key: c.weight for c in self.components}

    def terms(self) -> tuple[Term, ...]:
        out: list[Term] = []
        for c in self.components:
            out.extend(t for t in c.terms() if t not in out)
        return tuple(out)

    def with_weights(self, weights: Mapping[str, float]) -> Profile:
        """A copy with other component weights (keys must be the profile's components)."""
        unknown = sorted(set(weights) - set(self.keys))
        if unknown:
            raise ConfigError(
                f"weights for unknown components {unknown}; expected a subset of {list(self.keys)}"
            )
        bad = {k: w for k, w in weights.items() if not w >= 0}
        if bad or sum(weights.get(c.key, c.weight) for c in self.components) <= 0:
            raise ConfigError(f"weights must be >= 0 with a positive sum; got {dict(weights)!r}")
        comps = tuple(
            replace(c, weight=float(weights.get(c.key, c.weight))) for c in self.components
        )
        return replace(self, components=comps)


_EDU = "scb.000005MO"
_EDU_LEVELS = (
    "förgymnasial utbildning",
    "gymnasial utbildning",
    "eftergymnasial utbildning, mindre än 3 år",
    "eftergymnasial utbildning, 3 år eller mer",
    "uppgift om utbildningsnivå saknas",
)

SCB_PROFILE = Profile(
    name="scb",
    components=(
        ComponentSpec(
            "V1",
            "Låg ekonomisk standard (< 60 % av rikets median)",
            "Low economic standard (< 60 % of the national median)",
            "share_counts",
            (Term("register.v1_lag_ekonomisk_standard"),),
        ),
        ComponentSpec(
            "V2",
            "Förgymnasial utbildning, 20–64 år",
            "Less than upper-secondary education, aged 20–64",
            "share_counts",
            (Term("register.v2_forgymnasial_20_64"),),
        ),
        ComponentSpec(
            "V3",
            "Ekonomiskt bistånd >= 10 mån och/eller arbetslös > 6 mån, 20–64 år",
            "Economic assistance >= 10 months and/or unemployed > 6 months, aged 20–64",
            "share_counts",
            (Term("register.v3_bistand_arbetsloshet_20_64"),),
        ),
    ),
    population="V1",
    description_sv="SCB:s och Delmos definition av socioekonomiskt index (V1–V3).",
)

PROXY_PROFILE = Profile(
    name="proxy",
    components=(
        ComponentSpec(
            "V1",
            "Låg ekonomisk standard, procent × personer (SCB 000006TA)",
            "Low economic standard, percent x persons (SCB 000006TA)",
            "percent_times_base",
            (Term("scb.000006TA.lag_ekonomisk_standard_procent"),),
            (Term("scb.000006TA.antal_personer_totalt"),),
        ),
        ComponentSpec(
            "V2",
            "Förgymnasial utbildning bland alla 25–64 år (SCB 000005MO)",
            "Less than upper-secondary education among all aged 25–64 (SCB 000005MO)",
            "counts",
            (Term(_EDU, "utbildningsniva=förgymnasial utbildning"),),
            tuple(Term(_EDU, f"utbildningsniva={lvl}") for lvl in _EDU_LEVELS),
        ),
        ComponentSpec(
            "V3",
            "Arbetslösa bland alla 16–64 år (SCB 000007A8)",
            "Unemployed among all aged 16–64 (SCB 000007A8)",
            "counts",
            (Term("scb.000007A8.antal_arbetslosa", "alder=16-64 år"),),
            (Term("scb.000007A8.antal_totalt", "alder=16-64 år"),),
        ),
    ),
    population="V1",
    description_sv=(
        "Proxyprofil för SCB:s publicerade DeSO-tabeller: V1 = låg ekonomisk standard "
        "(publicerad avrundad procent × antal personer), V2 = förgymnasial utbildning bland "
        "alla 25–64 år (okänd utbildning i nämnaren), V3 = arbetslösa bland alla 16–64 år."
    ),
    notes=(
        "V2 och V3 är närmevärden: SCB:s index använder förgymnasial utbildning 20–64 år och "
        "långvarigt ekonomiskt bistånd och/eller arbetslöshet 20–64 år.",
    ),
)

PROFILES: dict[str, Profile] = {"scb": SCB_PROFILE, "proxy": PROXY_PROFILE}


def get_profile(name: str) -> Profile:
    """The shipped profile called ``name`` (``"scb"`` or ``"proxy"``)."""
    if name not in PROFILES:
        raise ConfigError(f"`profile` was {name!r} but is expected to be one of {sorted(PROFILES)}")
    return PROFILES[name]


def choose_profile(
    available: Iterable[Term | tuple[str, str]], requested: str | Profile = "auto"
) -> Profile:
    """``requested`` if given (a name or a :class:`Profile`); for ``"auto"`` the SCB profile
    when all its series exist, otherwise the proxy profile.

    ``available`` are the ``(indicator_id, breakdown)`` pairs present in the data.
    """
    if isinstance(requested, Profile):
        return requested
    if requested != "auto":
        return get_profile(requested)
    have = {Term(*t) if isinstance(t, tuple) else t for t in available}
    if all(t in have for t in SCB_PROFILE.terms()):
        return SCB_PROFILE
    return PROXY_PROFILE


def _terms(raw: object, where: str, problems: list[Problem], file: str) -> tuple[Term, ...]:
    items = raw if isinstance(raw, list) else [raw] if raw is not None else []
    out = []
    for it in items:
        if isinstance(it, str):
            out.append(Term(it))
        elif isinstance(it, dict) and "indicator_id" in it:
            out.append(Term(str(it["indicator_id"]), str(it.get("breakdown", ""))))
        else:
            problems.append(
                Problem(
                    file,
                    f"{where}: a series must be an indicator id or {{indicator_id, breakdown}}",
                    value=it,
                )
            )
    return tuple(out)


def profile_from_mapping(data: object, file: str = "profile") -> Profile:
    """A user-defined profile from a mapping (e.g. parsed YAML)::

        name: egen
        population: V1
        components:
          - key: V1
            label_sv: Låg ekonomisk standard
            kind: percent_times_base
            numerator: scb.000006TA.lag_ekonomisk_standard_procent
            denominator: scb.000006TA.antal_personer_totalt
            weight: 1
          - key: V2
            kind: counts
            numerator: [{indicator_id: scb.000005MO, breakdown: "utbildningsniva=förgymnasial utbildning"}]
            denominator: [...]

    All problems are collected before raising :class:`ValidationError`.
    """
    problems: list[Problem] = []
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("components"), list)
        or not data["components"]
    ):
        raise ValidationError(
            [Problem(file, "expected a mapping with a non-empty list `components`")]
        )
    comps = []
    for i, c in enumerate(data["components"], start=1):
        where = f"component {i}"
        if not isinstance(c, dict) or not c.get("key"):
            problems.append(Problem(file, f"{where}: needs a `key`", value=c))
            continue
        kind = c.get("kind", "counts")
        if kind not in ("counts", "share_counts", "percent_times_base"):
            problems.append(
                Problem(
                    file,
                    f"{where}: unknown `kind`",
                    value=kind,
                    expected="counts, share_counts or percent_times_base",
                )
            )
            continue
        num = _terms(c.get("numerator"), where, problems, file)
        den = _terms(c.get("denominator"), where, problems, file)
        if not num or (kind != "share_counts" and not den):
            problems.append(
                Problem(
                    file, f"{where} ({c['key']}): numerator and denominator series are required"
                )
            )
        weight = c.get("weight", 1.0)
        if not isinstance(weight, int | float) or weight < 0:
            problems.append(
                Problem(file, f"{where} ({c['key']}): `weight` must be a number >= 0", value=weight)
            )
            continue
        comps.append(
            ComponentSpec(
                key=str(c["key"]),
                label_sv=str(c.get("label_sv", c["key"])),
                label_en=str(c.get("label_en", c.get("label_sv", c["key"]))),
                kind=cast(ComponentKind, kind),
                numerator=num,
                denominator=den,
                weight=float(weight),
            )
        )
    keys = [c.key for c in comps]
    population = str(data.get("population", keys[0] if keys else ""))
    if keys and population not in keys:
        problems.append(
            Problem(
                file, "`population` must name a component", value=population, expected=str(keys)
            )
        )
    if comps and sum(c.weight for c in comps) <= 0:
        problems.append(Problem(file, "the weights must have a positive sum"))
    ValidationError.raise_if_any(problems)
    return Profile(
        name=str(data.get("name", Path(file).stem)),
        components=tuple(comps),
        population=population,
        description_sv=str(data.get("description_sv", "Egen profil.")),
    )


def load_profile(path: str | Path) -> Profile:
    """A user-defined profile from a YAML file (see :func:`profile_from_mapping`)."""
    import yaml

    from grannskap._yaml import safe_load as safe_yaml

    p = Path(path)
    try:
        data = safe_yaml(p.read_text(encoding="utf-8"))  # no aliases, bounded (issue 18)
    except FileNotFoundError:
        raise ConfigError(f"{p}: profile file not found") from None
    except yaml.YAMLError as exc:
        raise ValidationError(
            [Problem(str(p), f"not valid YAML ({str(exc).splitlines()[0]})")]
        ) from exc
    return profile_from_mapping(data, str(p))

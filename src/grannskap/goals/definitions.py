"""Effect goals as data: reading and validating a goals file (YAML).

A goal names what is measured (``measure``), over which areas (``area_set``), which states
must not occur (``bad_states``) or which value must be reached (``target_value``), in which
direction, and by when (``deadline``). See ``data/boras/goals.yaml`` for the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Literal, cast

from grannskap.errors import Problem, ValidationError

__all__ = ["Goal", "Measure", "POLICE_STATES", "load_goals", "parse_goals", "default_goals_path"]

Measure = Literal["police_category", "omradestyp", "indicator"]
POLICE_STATES = ("ej_listad", "utsatt", "sarskilt_utsatt")
_MEASURES = ("police_category", "omradestyp", "indicator")
_DIRECTIONS = ("decrease", "increase")


@dataclass(frozen=True)
class Goal:
    """One effect goal (see the module docstring)."""

    id: str
    name_sv: str
    name_en: str
    measure: Measure
    kommun: str
    deadline: int
    direction: Literal["decrease", "increase"] = "decrease"
    system: str | None = None
    bad_states: tuple[int | str, ...] = ()
    max_count: int = 0
    indicator_id: str | None = None
    area_code: str | None = None
    target_value: float | None = None
    source_note: str = ""
    extra: dict[str, object] = field(default_factory=dict)


def default_goals_path(kommun: str = "1490") -> Path:
    """The goals file shipped for ``kommun`` (only Borås, 1490, ships one)."""
    return Path(str(resources.files("grannskap").joinpath("data", "boras", "goals.yaml")))


def parse_goals(data: object, file: str = "goals") -> list[Goal]:
    """Goals from the parsed YAML structure; all problems are collected before raising."""
    problems: list[Problem] = []
    if not isinstance(data, dict) or not isinstance(data.get("goals"), list):
        raise ValidationError(
            [Problem(file, "expected a mapping with a list `goals`", value=type(data).__name__)]
        )
    default_kommun = str(data.get("kommun", "")) or None
    out: list[Goal] = []
    seen: set[str] = set()
    for i, g in enumerate(data["goals"], start=1):
        where = f"goal {i}"
        if not isinstance(g, dict):
            problems.append(Problem(file, f"{where}: expected a mapping", value=g))
            continue
        gid = str(g.get("id", "")).strip()
        if not gid:
            problems.append(Problem(file, f"{where}: `id` is missing"))
        elif gid in seen:
            problems.append(Problem(file, f"{where}: duplicate id", value=gid))
        seen.add(gid)
        measure = g.get("measure")
        if measure not in _MEASURES:
            problems.append(
                Problem(
                    file,
                    f"{where} ({gid}): unknown `measure`",
                    value=measure,
                    expected=str(list(_MEASURES)),
                )
            )
        direction = g.get("direction", "decrease")
        if direction not in _DIRECTIONS:
            problems.append(
                Problem(
                    file,
                    f"{where} ({gid}): unknown `direction`",
                    value=direction,
                    expected=str(list(_DIRECTIONS)),
                )
            )
        deadline = g.get("deadline")
        if not isinstance(deadline, int) or not 1990 <= deadline <= 2100:
            problems.append(
                Problem(file, f"{where} ({gid}): `deadline` must be a year", value=deadline)
            )
        area_set = g.get("area_set") or {}
        kommun = (
            str(area_set.get("kommun", default_kommun or "")) if isinstance(area_set, dict) else ""
        )
        if not kommun:
            problems.append(Problem(file, f"{where} ({gid}): `area_set.kommun` is missing"))
        bad = tuple(g.get("bad_states") or ())
        if measure == "omradestyp":
            if not bad or any(b not in (1, 2, 3, 4, 5) for b in bad):
                problems.append(
                    Problem(
                        file, f"{where} ({gid}): `bad_states` must be types 1–5", value=list(bad)
                    )
                )
        if measure == "police_category":
            if not bad or any(b not in POLICE_STATES[1:] for b in bad):
                problems.append(
                    Problem(
                        file,
                        f"{where} ({gid}): `bad_states` must be police categories",
                        value=list(bad),
                        expected=str(list(POLICE_STATES[1:])),
                    )
                )
        if measure == "indicator" and (
            g.get("indicator_id") is None
            or g.get("target_value") is None
            or g.get("area_code") is None
        ):
            problems.append(
                Problem(
                    file,
                    f"{where} ({gid}): an indicator goal needs `indicator_id`, `area_code` and `target_value`",
                )
            )
        max_count = g.get("max_count", 0)
        if not isinstance(max_count, int) or max_count < 0:
            problems.append(
                Problem(
                    file, f"{where} ({gid}): `max_count` must be an integer >= 0", value=max_count
                )
            )
        if problems:
            continue
        out.append(
            Goal(
                id=gid,
                name_sv=str(g.get("name_sv", gid)),
                name_en=str(g.get("name_en", g.get("name_sv", gid))),
                measure=cast(Measure, measure),
                kommun=kommun,
                deadline=int(cast(int, deadline)),
                direction=direction,
                system=area_set.get("system") if isinstance(area_set, dict) else None,
                bad_states=bad,
                max_count=int(max_count),
                indicator_id=g.get("indicator_id"),
                area_code=str(g["area_code"]) if g.get("area_code") is not None else None,
                target_value=float(g["target_value"])
                if g.get("target_value") is not None
                else None,
                source_note=" ".join(str(g.get("source_note", "")).split()),
            )
        )
    ValidationError.raise_if_any(problems)
    return out


def load_goals(path: str | Path | None = None, *, kommun: str | None = None) -> list[Goal]:
    """Goals from a YAML file (the shipped Borås goals when ``path`` is None), optionally only
    those of ``kommun``."""
    import yaml

    from grannskap._yaml import safe_load as safe_yaml

    p = Path(path) if path is not None else default_goals_path()
    try:
        data = safe_yaml(p.read_text(encoding="utf-8"))  # no aliases, bounded (issue 18)
    except FileNotFoundError:
        raise ValidationError([Problem(str(p), "goals file not found")]) from None
    except yaml.YAMLError as exc:
        raise ValidationError(
            [Problem(str(p), f"not valid YAML ({str(exc).splitlines()[0]})")]
        ) from exc
    goals = parse_goals(data, str(p))
    return [g for g in goals if kommun is None or g.kommun == kommun]

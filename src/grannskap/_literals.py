"""Closed option sets as ``Literal`` types, validated in one place."""

from __future__ import annotations

from typing import Literal, TypeVar, get_args

from grannskap.errors import ConfigError

__all__ = ["Lang", "AreaLevel", "InterventionType", "validate_literal"]

Lang = Literal["sv", "en"]
AreaLevel = Literal["kommun", "deso", "regso", "police", "stadsdel", "grid"]
InterventionType = Literal["forebyggande", "framjande", "atgardande", "okand"]

T = TypeVar("T", bound=str)


def validate_literal(value: str, literal: object, name: str) -> str:
    """Return ``value`` if it is one of the options of ``literal``; otherwise a clear error."""
    options = get_args(literal)
    if value not in options:
        raise ConfigError(f"`{name}` was {value!r} but is expected to be one of {list(options)}")
    return value

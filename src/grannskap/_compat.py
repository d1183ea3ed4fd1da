"""Optional dependencies, imported with a friendly message when missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from grannskap.errors import OptionalDependencyError

__all__ = ["import_optional_dependency"]


def import_optional_dependency(name: str, extra: str) -> ModuleType:
    """Import ``name`` or raise :class:`OptionalDependencyError` naming the extra to install."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise OptionalDependencyError(name.split(".")[0], extra) from exc

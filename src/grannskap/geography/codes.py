"""Swedish area codes: which code system a region code belongs to.

SCB codes: DeSO ``KKKK[ABC]NNNN`` (e.g. ``1490C1010``), RegSO ``KKKKRNNN`` (``1490R003``),
kommun ``KKKK``, län ``LL``, riket ``00`` (also written ``Riket``/``0000`` in Kolada).
DeSO and RegSO codes look the same in the 2018/2020 and 2025 divisions; the version is
decided by the statistics year: SCB publishes on DeSO 2025 / RegSO 2025 from statistics year
2024, on DeSO 2018 / RegSO 2020 before that. Pass ``version`` to override.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "DESO_RE",
    "REGSO_RE",
    "KOMMUN_RE",
    "LAN_RE",
    "classify_code",
    "normalize_code",
    "split_code_label",
    "kommun_of",
    "level_of_system",
    "FIRST_YEAR_2025_DIVISION",
]

DESO_RE = re.compile(r"^\d{4}[ABC]\d{4}$")
REGSO_RE = re.compile(r"^\d{4}R\d{3}$")
KOMMUN_RE = re.compile(r"^\d{4}$")
LAN_RE = re.compile(r"^\d{2}$")
FIRST_YEAR_2025_DIVISION = 2024

_CODE_LABEL = re.compile(r"^(\d{2}|\d{4}|\d{4}[ABC]\d{4}|\d{4}R\d{3})(?:\s+(.+))?$")


@lru_cache(maxsize=1 << 16)
def classify_code(code: str, year: int | None = None, version: str | None = None) -> str | None:
    """The code system of ``code`` (``"deso2018"``, ``"regso2020"``, ``"kommun"``, ...) or None.

    >>> classify_code("1490C1010", 2022)
    'deso2018'
    >>> classify_code("1490R003", 2025)
    'regso2025'
    """
    new = version == "2025" or (
        version is None and year is not None and year >= FIRST_YEAR_2025_DIVISION
    )
    if DESO_RE.match(code):
        return "deso2025" if new else "deso2018"
    if REGSO_RE.match(code):
        return "regso2025" if new else "regso2020"
    if code in ("00", "0000", "Riket", "riket"):
        return "riket"
    if KOMMUN_RE.match(code):
        return "kommun"
    if LAN_RE.match(code):
        return "lan"
    return None


_VERSIONED = re.compile(r"^(.+)_(DeSO|RegSO)(\d{4})$", re.IGNORECASE)


@lru_cache(maxsize=1 << 16)
def normalize_code(code: str, year: int | None = None) -> tuple[str | None, str]:
    """``(system, code)`` with publication variants folded to SCB's plain codes.

    PxWebApi v2 writes DeSO/RegSO codes of the 2025 division with a suffix
    (``0114C1010_DeSO2025``); Kolada writes regions as ``00LL`` (``0014`` = Västra Götaland)
    and the country as ``0000``.

    >>> normalize_code("0114C1010_DeSO2025")
    ('deso2025', '0114C1010')
    >>> normalize_code("0014")
    ('lan', '14')
    """
    text = code.strip()
    match = _VERSIONED.match(text)
    if match:
        base, version = match.group(1), match.group(3)
        return classify_code(base, version=version if version == "2025" else "2018"), base
    if text in ("0000", "Riket", "riket"):
        return "riket", "00"
    if re.fullmatch(r"00\d\d", text):
        return "lan", text[2:]
    return classify_code(text, year), text


@lru_cache(maxsize=1 << 16)
def split_code_label(text: str) -> tuple[str, str] | None:
    """Split SCB's ``"1490 Borås"`` / ``"1490C1010"`` region cells into (code, name)."""
    match = _CODE_LABEL.match(text.strip())
    if not match:
        if text.strip().lower() == "riket":
            return "00", "Riket"
        return None
    return match.group(1), (match.group(2) or "").strip()


def kommun_of(code: str) -> str | None:
    """The kommun code a DeSO/RegSO/kommun code lies in."""
    if DESO_RE.match(code) or REGSO_RE.match(code) or KOMMUN_RE.match(code):
        return code[:4]
    return None


def level_of_system(system: str) -> str:
    """``"deso2018"`` -> ``"deso"``; other systems are their own level."""
    for level in ("deso", "regso"):
        if system.startswith(level):
            return level
    return system

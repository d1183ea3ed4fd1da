"""Reading JSON input files strictly, and telling grannskap's JSON formats apart.

:func:`load_json` turns bytes into Python objects, reporting malformed JSON, duplicate keys and
``NaN``/``Infinity`` as one :class:`~grannskap.errors.InputError` that names the position.
:func:`sniff` says whether bytes are a JSON-stat 2 dataset (SCB PxWebApi v2) or a Kolada v3
data page, so that ``grannskap import`` can dispatch on content, not on the file name.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from grannskap.errors import InputError, Problem

__all__ = ["JsonFormat", "load_json", "sniff"]

JsonFormat = Literal["jsonstat2", "kolada"]


def load_json(data: bytes, file_name: str) -> Any:
    """Decode JSON bytes strictly; malformed JSON becomes one :class:`InputError`.

    Duplicate keys in an object and the non-standard constants ``NaN``/``Infinity`` (which
    Python's ``json`` accepts by default) are rejected, since either would silently change
    what a file says.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InputError(
            Problem(file_name, "not a byte string", value=type(data).__name__, expected="bytes")
        )
    raw = bytes(data)
    if not raw.strip():
        raise InputError(Problem(file_name, "the file is empty", expected="a JSON document"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            Problem(
                file_name,
                f"not UTF-8 text at byte {exc.start}",
                value=raw[exc.start : exc.start + 4].hex(),
                expected="UTF-8 encoded JSON",
            )
        ) from None

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise _DuplicateKey(key)
            out[key] = value
        return out

    def constant(name: str) -> float:
        raise _BadConstant(name)

    try:
        return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            Problem(
                file_name,
                f"malformed JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                row=exc.lineno,
                column=str(exc.colno),
                expected="valid JSON",
            )
        ) from None
    except _DuplicateKey as exc:
        raise InputError(
            Problem(
                file_name, "duplicate key in a JSON object", value=exc.key, expected="unique keys"
            )
        ) from None
    except _BadConstant as exc:
        raise InputError(
            Problem(
                file_name, "non-standard JSON number", value=exc.name, expected="a finite number"
            )
        ) from None
    except RecursionError:
        raise InputError(
            Problem(file_name, "JSON nested too deeply", expected="a JSON-stat or Kolada document")
        ) from None


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


class _BadConstant(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def sniff(data: bytes, file_name: str) -> JsonFormat | None:
    """Which JSON format ``data`` is in: ``"jsonstat2"``, ``"kolada"`` or ``None``.

    Never raises: anything that is not JSON, or JSON of another shape, gives ``None``.
    Kolada input may also be a JSON array of pages (as written by ``grannskap fetch``).
    """
    head = bytes(data[:1])
    if head not in (b"{", b"[", b"\xef", b" ", b"\n", b"\r", b"\t"):
        return None
    try:
        doc = load_json(data, file_name)
    except InputError:
        return None
    if isinstance(doc, dict):
        if doc.get("class") == "dataset" and "dimension" in doc and "id" in doc:
            return "jsonstat2"
        if _is_kolada_page(doc):
            return "kolada"
    elif isinstance(doc, list) and doc and all(_is_kolada_page(p) for p in doc):
        return "kolada"
    return None


def _is_kolada_page(doc: object) -> bool:
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
        return False
    values = doc["values"]
    if not values:
        return "next_url" in doc or "count" in doc
    first = values[0]
    return isinstance(first, dict) and "kpi" in first and "period" in first

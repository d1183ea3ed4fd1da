"""The dashboard's response object."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Response"]


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

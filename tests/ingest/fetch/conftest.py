"""Fixtures for the fetcher tests: a local replay server, never the network."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from replay_server import ReplayServer  # noqa: E402


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    """A started :class:`ReplayServer` rewriting the real services' URLs to itself."""
    server = ReplayServer()
    server.rewrite("https://api.kolada.se")
    server.rewrite("https://statistikdatabasen.scb.se")
    server.rewrite("https://geodata.scb.se")
    server.start()
    try:
        yield server
    finally:
        server.stop()

"""Fixtures for the dashboard/output reliability tests: a dashboard app/server on the real demo
database (``demo_db`` from tests/conftest.py, built once per session). The lead's importer tests in this folder do not use these fixtures."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def rel_app(demo_db: Path):  # type: ignore[no-untyped-def]
    """The dashboard without the response cache, so that every fuzzed request is really handled."""
    from grannskap.web.server import make_app

    app = make_app(demo_db, kommun="1490", warm=False, cache_responses=False)
    for lang in ("sv", "en"):  # build both languages now, so request timings exclude it
        app.cache.get("1490", lang)
    return app


@pytest.fixture(scope="session")
def rel_server(rel_app) -> Iterator[tuple[str, int]]:  # type: ignore[no-untyped-def]
    from grannskap.web.server import make_server

    server = make_server(rel_app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ("127.0.0.1", int(server.server_address[1]))
    server.shutdown()
    server.server_close()

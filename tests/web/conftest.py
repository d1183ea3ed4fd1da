"""Dashboard fixtures: a dashboard server (on ``demo_db`` from tests/conftest.py) on a free localhost port, and headless Debian Chromium via Playwright
(skipped with a reason when Chromium or Playwright is missing; Playwright never downloads a browser)."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str | None:
    for cand in (
        os.environ.get("GRANNSKAP_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if cand and Path(cand).exists():
            return cand
    return None


@pytest.fixture(scope="session")
def app(demo_db: Path):  # type: ignore[no-untyped-def]
    from grannskap.web.server import make_app

    return make_app(demo_db, kommun="1490")


@pytest.fixture(scope="session")
def base_url(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from grannskap.web.server import make_server

    server = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    exe = _chromium()
    if exe is None:
        pytest.skip("Debian chromium not installed (/usr/bin/chromium): browser tests skipped")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright (test dependency) not installed"
    )
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, base_url: str):  # type: ignore[no-untyped-def]
    """A page that records console errors and aborts (and records) any request off localhost."""
    context = browser.new_context(viewport={"width": 1200, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.console_errors = []  # type: ignore[attr-defined]
    pg.external = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))  # type: ignore[attr-defined]
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))  # type: ignore[attr-defined]

    def guard(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith((base_url, "data:", "about:", "file://")):
            route.continue_()
        else:
            pg.external.append(url)  # type: ignore[attr-defined]
            route.abort()

    pg.route("**/*", guard)
    yield pg
    context.close()


def _shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def shot():  # type: ignore[no-untyped-def]
    """``shot(page, name)`` saves a full-page screenshot to artifacts/screenshots/NAME.png."""
    return _shot

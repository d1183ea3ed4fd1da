"""Security properties of the dashboard, checked on the real demo database over a real socket.

- read-only: every write-ish HTTP method is refused (405/501), and after all requests of this
  module (including SQL-injection attempts) the DuckDB file's bytes are unchanged and no WAL
  file appeared;
- parameterised SQL only: every ``execute(...)`` call in ``grannskap.web`` and
  ``grannskap.report`` (the code the dashboard runs) passes a constant SQL text, or an f-string
  whose only interpolations generate ``?`` placeholders (checked on the syntax tree);
- safe headers on every kind of answer (page, 404, 400, 405, download, static file): a CSP
  that allows no external origin, nosniff, framing denied, no referrer;
- binds to 127.0.0.1 by default (``grannskap serve`` and ``make_server``).
"""

from __future__ import annotations

import ast
import hashlib
import http.client
import inspect
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "grannskap"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _request(addr: tuple[str, int], method: str, path: str, body: bytes | None = None):  # type: ignore[no-untyped-def]
    c = http.client.HTTPConnection(*addr, timeout=30)
    try:
        c.request(method, path, body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        return r.status, r.msg, r.read()  # header names case-insensitive (HTTP)
    finally:
        c.close()


def test_no_write_path_and_database_bytes_unchanged(rel_server, demo_db: Path) -> None:  # type: ignore[no-untyped-def]
    before = _sha(demo_db)
    wal = Path(str(demo_db) + ".wal")
    wal_before = wal.exists()
    tried = 0
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "PROPFIND"):
        for path in ("/", "/download/regso-indicators.csv", "/area/regso/1490R025", "/healthz"):
            status, headers, body = _request(
                rel_server, method, path, b'{"sql": "DROP TABLE area"}'
            )
            tried += 1
            assert status in (405, 501), f"{method} {path} -> {status}"
            assert b"Traceback" not in body
            if status == 405:
                assert headers.get("Allow") == "GET, HEAD"
    for q in (
        "/?kommun=1490%27%3B%20DROP%20TABLE%20area%3B--",
        "/indicators?indicator=arbetslosa%27%3B%20DELETE%20FROM%20observation%3B--",
        "/area/regso/1490R025%27%3B%20UPDATE%20area%20SET%20name%3D%27x%27%3B--",
        "/goals?malomrade=M1%27%3B%20CHECKPOINT%3B--",
    ):
        status, _, _ = _request(rel_server, "GET", q)
        tried += 1
        assert status in (400, 404)
    assert _request(rel_server, "GET", "/area/regso/1490R025")[0] == 200
    assert _sha(demo_db) == before, "the database file changed while serving"
    assert wal.exists() == wal_before, "a write-ahead log appeared: something wrote"
    print(f"write attempts: {tried} requests, all refused; database sha256 unchanged")


def _is_placeholder_expr(node: ast.AST) -> bool:
    """``', '.join('?' for _ in ids)`` and the like: an expression that only makes ``?``s."""
    consts = [n.value for n in ast.walk(node) if isinstance(n, ast.Constant)]
    return "?" in consts and all(c in ("?", ", ", ",") for c in consts if isinstance(c, str))


def _sql_violations(path: Path, root: Path = SRC) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("execute", "executemany", "sql", "query")
            and node.args
        ):
            continue
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            continue
        if isinstance(arg, ast.JoinedStr) and all(
            isinstance(v, ast.Constant) or _is_placeholder_expr(v.value)  # type: ignore[attr-defined]
            for v in arg.values
        ):
            continue
        out.append(f"{path.relative_to(root)}:{node.lineno}: {ast.unparse(arg)[:120]}")
    return out


def test_sql_is_parameterised() -> None:
    files = sorted((SRC / "web").rglob("*.py")) + sorted((SRC / "report").rglob("*.py"))
    files += [SRC / "privacy.py"]
    violations = [v for f in files for v in _sql_violations(f)]
    # gpkg.py builds the OUTPUT GeoPackage (a new SQLite file) with table/column names taken from
    # the report's own frames, never from a request; it is not reachable from the dashboard.
    reachable = [v for v in violations if not v.startswith("report/gpkg.py")]
    print(f"execute() calls checked in {len(files)} files; non-constant SQL: {violations}")
    assert not reachable, reachable
    assert "app.py" not in " ".join(violations)


def test_the_checker_catches_interpolation(tmp_path: Path) -> None:
    """The syntax-tree check above would flag a request value pasted into SQL."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def f(con, code):\n"
        "    con.execute(f\"SELECT * FROM area WHERE code = '{code}'\")\n"
        "    con.execute('SELECT 1 WHERE x = ' + code)\n"
        "    con.execute(f\"SELECT * FROM t WHERE c IN ({', '.join('?' for _ in code)})\", code)\n"
    )
    v = _sql_violations(bad, tmp_path)
    assert len(v) == 2, v


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/area/regso/1490R999", 404),
        ("GET", "/?lang=xx", 400),
        ("POST", "/", 405),
        ("GET", "/download/regso-indicators.csv", 200),
        ("GET", "/download/deso-indicators.xlsx", 200),
        ("GET", "/static/app.css", 200),
        ("HEAD", "/", 200),
    ],
)
def test_security_headers_on_every_kind_of_answer(
    rel_server, method: str, path: str, status: int
) -> None:  # type: ignore[no-untyped-def]
    got, h, _ = _request(rel_server, method, path)
    assert got == status
    csp = h.get("Content-Security-Policy", "")
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    assert directives.get("default-src") == "'none'", csp
    assert directives.get("frame-ancestors") == "'none'", csp
    for name, value in directives.items():
        for source in value.split():
            assert source in ("'self'", "'none'", "data:"), f"{name} allows {source}"
    assert h.get("X-Content-Type-Options") == "nosniff"
    assert h.get("X-Frame-Options") == "DENY"
    assert h.get("Referrer-Policy") == "no-referrer"
    assert "Server" not in h or "Python" not in h["Server"]


def test_binds_to_localhost_by_default() -> None:
    import argparse

    from grannskap.cli import serve as serve_cli
    from grannskap.web import server

    assert inspect.signature(server.make_server).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(server.serve).parameters["host"].default == "127.0.0.1"
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    serve_cli.register(sub)
    args = parser.parse_args(["serve"])
    assert args.host == "127.0.0.1"


def test_response_cache_cannot_be_flushed_with_url_variants(demo_db: Path) -> None:
    from grannskap.web.server import make_app

    app = make_app(demo_db, kommun="1490", warm=False)
    app.cache_max_items = 50  # the real bound is 2,000; same behaviour, fewer requests
    assert app.handle("/", "").status == 200
    statuses = set()
    for i in range(1, 60):
        statuses.add(app.handle("/areas" + "/" * i, "").status)
        statuses.add(app.handle("/static/app.css", f"v={i}").status)
    assert statuses == {200}
    assert ("/", "") in app._cache, "the overview page was evicted by URL variants"

"""Ratchet for issue 13: no SQL outside ``src/grannskap/store/`` and the register engines.

A module "has SQL" when it calls ``.execute(`` or ``.sql(`` (DuckDB's two entry points) or
``.executemany(``. The modules that still do are listed in ``NOT_YET_MOVED``; the set of
offenders must EQUAL that list, so that a new module cannot add SQL and a module that has been
moved must leave the list.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "grannskap"

# Issue 13: modules still to be moved to typed query functions in store/. This list may only
# SHRINK: when you move a module's SQL into store/, delete its line here; never add one (put
# the query in store/ instead).
NOT_YET_MOVED = frozenset(
    {
        "ingest/importer.py",
        "ingest/programme.py",
        "web/data.py",
    }
)

_SQL_CALL = re.compile(r"\.(execute|executemany|sql)\(")
_ALLOWED_DIRS = ("store", "register")


def sql_modules(root: Path = SRC) -> set[str]:
    """Paths (relative to ``root``, with ``/``) of the modules outside store/ and register/
    that call ``.execute(`` / ``.executemany(`` / ``.sql(``."""
    found = set()
    for path in root.rglob("*.py"):
        rel = path.relative_to(root)
        if rel.parts[0] in _ALLOWED_DIRS or "__pycache__" in rel.parts:
            continue
        if _SQL_CALL.search(path.read_text(encoding="utf-8")):
            found.add(rel.as_posix())
    return found


def test_no_new_sql_outside_store() -> None:
    found = sql_modules()
    new = sorted(found - NOT_YET_MOVED)
    assert not new, (
        f"SQL outside store/ in {new}: add a typed query function to src/grannskap/store/ "
        "and call it instead (issue 13)"
    )
    moved = sorted(NOT_YET_MOVED - found)
    assert not moved, f"{moved} no longer hold SQL: delete them from NOT_YET_MOVED (issue 13)"


def test_the_check_sees_sql(tmp_path: Path) -> None:
    """The grep is not vacuous: it finds a call outside store/ and ignores store/ and register/."""
    for rel, text in {
        "goals/new.py": 'con.execute("SELECT 1")\n',
        "web/other.py": 'con.sql("SELECT 1")\n',
        "store/ok.py": 'con.execute("SELECT 1")\n',
        "register/engine.py": 'con.sql("SELECT 1")\n',
        "measures/pure.py": "x = frame.groupby('a').sum()\n",
    }.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert sql_modules(tmp_path) == {"goals/new.py", "web/other.py"}


def test_moved_names_still_resolve() -> None:
    """The socioeconomic database edge lives in store/socioeconomic.py; the old import paths
    (used by report/sections/areas.py and cli/evaluate.py) give the same functions."""
    import grannskap.measures.socioeconomic as pkg
    import grannskap.measures.socioeconomic.pipeline as pipeline
    from grannskap.store import socioeconomic

    for name in ("classify_from_store", "load_inputs", "load_official_types"):
        assert getattr(pkg, name) is getattr(socioeconomic, name)
        assert getattr(pipeline, name) is getattr(socioeconomic, name)
    assert pipeline.deso_systems_by_year is socioeconomic.deso_systems_by_year

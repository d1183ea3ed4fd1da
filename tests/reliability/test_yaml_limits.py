"""Issue 18, finding 5 (YAML part): a 450-byte alias bomb passed 6 GB in ``yaml.safe_load``.

Every YAML input (programme import, goals file, index profile) now goes through
:func:`grannskap._yaml.safe_load`, which refuses aliases and oversized text; each gives a
one-line error naming the file, in well under a second and without growing memory.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from grannskap.cli import main

# the classic "billion laughs" for YAML: 9 levels of 9 aliases = 9**9 (387 M) leaves
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_bomb_is_small() -> None:
    assert len(BOMB.encode()) < 500


@pytest.mark.parametrize(
    "cmd",
    [
        ["import", "{f}"],
        ["goals", "--goals-file", "{f}"],
        ["classify", "--year", "2022", "--profile", "{f}", "--out", "{d}/c.csv"],
    ],
    ids=["import", "goals", "classify-profile"],
)
def test_alias_bomb_is_refused_in_every_yaml_reader(
    cmd: list[str], small_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "programme.yaml"
    f.write_text(BOMB, encoding="utf-8")
    before = _rss_mb()
    t0 = time.perf_counter()
    args = [a.replace("{f}", str(f)).replace("{d}", str(tmp_path)) for a in cmd]
    db = tmp_path / "db.duckdb"
    if cmd[0] != "import":
        db = small_db
    code = main([*args, "--db", str(db)])
    err = capsys.readouterr().err
    assert code != 0
    assert "alias" in err.lower() and "Traceback" not in err, err
    assert time.perf_counter() - t0 < 30
    assert _rss_mb() - before < 200  # the bomb expanded would need gigabytes


def test_plain_yaml_still_loads() -> None:
    from grannskap._yaml import safe_load

    assert safe_load("a: [1, 2]\nb: {c: d}\n") == {"a": [1, 2], "b": {"c": "d"}}


def test_oversized_yaml_is_refused() -> None:
    import yaml

    from grannskap._yaml import safe_load

    with pytest.raises(yaml.YAMLError, match="allowed"):
        safe_load("a: 1\n" * 100, max_bytes=100)

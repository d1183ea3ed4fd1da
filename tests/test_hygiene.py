"""Code hygiene checked by the test command: ruff lint and format over the whole tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff(args: list[str]) -> None:
    if (
        shutil.which("ruff") is None
        and subprocess.run(
            [sys.executable, "-m", "ruff", "--version"], capture_output=True
        ).returncode
        != 0
    ):
        pytest.skip("ruff is not installed (it is in the [test] extra)")
    out = subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_clean() -> None:
    """mypy over ``src/`` reports 0 errors (configuration in pyproject.toml ``[tool.mypy]``)."""
    pytest.importorskip("mypy", reason="mypy is not installed (it is in the [test] extra)")
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "src"], cwd=REPO, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


SRC = REPO / "src" / "grannskap"


def _sources() -> dict[str, str]:
    return {
        str(p.relative_to(SRC)): p.read_text(encoding="utf-8")
        for p in SRC.rglob("*.py")
        if "__pycache__" not in p.parts
    }


def test_no_scaffolding_left() -> None:
    """Fallbacks written while modules were missing are gone: every module exists now."""
    from grannskap.cli import COMMAND_MODULES

    for name in COMMAND_MODULES:
        assert (SRC / "cli" / f"{name}.py").is_file(), f"COMMAND_MODULES names {name!r}"
    assert not (SRC / "report" / "sections" / "_generic.py").exists()
    offenders = [
        f"{path}: {needle}"
        for path, text in _sources().items()
        for needle in ("getattr(seg,", "getattr(goals,", "getattr(jsonstat,", "getattr(kolada,")
        if needle in text
    ]
    assert offenders == []


def test_one_formatter_and_layers() -> None:
    """Numbers are formatted by grannskap.format only; evaluation/ and goals/ never import the
    report package (they sit below it in the data flow)."""
    srcs = _sources()
    old_alias = [p for p, t in srcs.items() if "grannskap.report.format" in t]
    assert old_alias == [], old_alias
    upward = [
        p
        for p, t in srcs.items()
        if p.startswith(("evaluation/", "goals/", "measures/", "ingest/", "store/"))
        and ("from grannskap.report" in t or "import grannskap.report" in t)
    ]
    assert upward == [], upward
    lang_defs = [p for p, t in srcs.items() if "\nLang = Literal[" in t]
    assert lang_defs == ["_literals.py"], lang_defs

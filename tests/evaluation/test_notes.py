"""Swedish wording of estimator notes (grannskap.evaluation.notes).

Every note the package writes into a result's ``notes`` must have a Swedish form: the test
reads the package's source (AST), renders each note with a sample value in every formatted
field, and checks the Swedish table knows it. A new English note without a translation fails
here rather than appearing in English in a Swedish verdict.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import grannskap
from grannskap.errors import ConfigError
from grannskap.evaluation.notes import note_text

SRC = Path(grannskap.__file__).parent


def _render(node: ast.AST) -> str:
    """A sample text of a note expression: formatted fields become ``3``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_render(v) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _render(node.left) + _render(node.right)
    if isinstance(node, ast.IfExp):
        return _render(node.body)
    if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
        return "3%" if _render(node.format_spec).endswith("%") else "3"
    return "3"


def _is_notes(node: ast.AST) -> bool:
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return name == "notes"


def _written_notes() -> list[tuple[str, str]]:
    found = []
    # notes that reach a verdict: the estimators, the evaluate command and its database reads
    paths = [*sorted((SRC / "evaluation").rglob("*.py")), SRC / "cli/evaluate.py"]
    for path in [*paths, SRC / "store/queries.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            f = node.func
            if isinstance(f, ast.Attribute) and f.attr == "append" and _is_notes(f.value):
                arg = node.args[0]
            elif isinstance(f, ast.Name) and f.id == "warn" and len(node.args) == 2:
                if not _is_notes(node.args[0]):
                    continue
                arg = node.args[1]
            else:
                continue
            if isinstance(arg, ast.Name):  # a variable passed on (e.g. warn() itself)
                continue
            found.append((f"{path.relative_to(SRC)}:{node.lineno}", _render(arg)))
    return found


NOTES = _written_notes()


def test_the_scan_finds_the_estimators_notes() -> None:
    files = {where.split(":")[0] for where, _ in NOTES}
    # notes are written in the DiD, ITS, power, cost and SC modules and by the CLI
    assert len(NOTES) >= 15
    assert {"evaluation/its.py", "evaluation/did/cs.py", "cli/evaluate.py"} <= files


@pytest.mark.parametrize(("where", "message"), NOTES, ids=[w for w, _ in NOTES])
def test_every_written_note_has_a_swedish_form(where: str, message: str) -> None:
    sv = note_text(message, "sv")
    assert not sv.endswith("(på engelska)"), f"{where}: no Swedish form for {message!r}"
    assert sv != message
    assert "|" not in sv  # every "[singular|plural]" was resolved


def test_numbers_are_written_the_swedish_way() -> None:
    msg = (
        "weak overlap: largest comparison propensity score 0.995, 2 comparison unit(s) "
        "trimmed, 40 % of treated units with propensity above 0.99 (treated and comparison "
        "areas differ strongly in the covariates; the estimate leans on the outcome model)"
    )
    sv = note_text(msg, "sv")
    assert sv.startswith("svag överlappning: största skattade sannolikhet")
    assert "0,995" in sv and "2 jämförelseenheter" in sv and "40 %" in sv
    late = "3 unit(s) are first treated after the panel's last period -1.5; they are " + (
        "counted as never treated"
    )
    assert "period −1,5; de räknas" in note_text(late, "sv")


def test_swedish_singular_and_plural() -> None:
    one = "1 area(s) targeted by other interventions were left out of the comparison group"
    two = one.replace("1 area(s)", "2 area(s)")
    assert note_text(one, "sv").startswith("1 område med andra insatser")
    assert note_text(two, "sv").startswith("2 områden med andra insatser")
    assert "[" not in note_text(two, "sv")


def test_unknown_notes_stay_in_english_and_say_so() -> None:
    assert note_text("something new happened", "sv") == "something new happened (på engelska)"
    assert note_text("something new happened", "en") == "something new happened"


def test_bad_language_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        note_text("x", "de")  # type: ignore[arg-type]


def test_swedish_verdict_quotes_notes_in_swedish() -> None:
    """End to end: a TWFE result with few clusters gives a Swedish verdict without English."""
    import numpy as np
    import pandas as pd

    from grannskap.evaluation.did import twfe
    from grannskap.evaluation.verdict import verdict_twfe

    rng = np.random.default_rng(3)
    rows = [
        {"unit": u, "t": t, "y": rng.normal() + (u < 2) * (t >= 3), "d": int(u < 2 and t >= 3)}
        for u in range(6)
        for t in range(6)
    ]
    res = twfe(pd.DataFrame(rows), unit="unit", time="t", outcome="y", treatment="d")
    assert any(n.startswith("only 6 clusters") for n in res.notes)
    text = verdict_twfe(res, term="d", n_treated=2, n_control=4, outcome="y", lang="sv").text()
    assert "bara 6 kluster" in text
    assert "cluster-robust standard errors" not in text

"""Shared test fixtures.

BLAS threads are pinned so that floating-point results are bit-stable between runs.
``SHARED_DATA`` points at ``../shared/data`` (the real public data beside the checkout).

No silent skips in CI: when ``CI`` is true (or ``GRANNSKAP_STRICT_TESTS=1``), every skip -
missing ``../shared`` data, a missing test dependency - is turned into a failure that names
what is missing. The only skips allowed there are for what a machine may truly lack and the
README names: Debian's Chromium (browser tests, PDF) and poppler-utils (``pdftotext``).
Outside CI a skip stays a skip, with its reason in the ``-ra`` summary.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import io  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("GRANNSKAP_SHARED_DATA", REPO.parent / "shared" / "data"))

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


STRICT = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"} or bool(
    os.environ.get("GRANNSKAP_STRICT_TESTS")
)
# Skip reasons that stay skips under CI: system packages a machine may lack (see README).
ALLOWED_SKIP_WORDS = ("chromium", "pdftotext", "poppler")


def _skip_reason(longrepr: object) -> str:
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def _strict_failure(report: pytest.CollectReport | pytest.TestReport) -> None:
    reason = _skip_reason(report.longrepr)
    if any(word in reason.lower() for word in ALLOWED_SKIP_WORDS):
        return
    report.outcome = "failed"
    report.longrepr = (
        f"skipped under CI=true, where only missing Chromium/poppler may skip: {reason}\n"
        f"(shared data expected at {SHARED_DATA}; set GRANNSKAP_SHARED_DATA to point elsewhere; "
        'test dependencies come from `pip install -e ".[test]" -c constraints-test.txt`)'
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        _strict_failure(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped:
        _strict_failure(report)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


# --- SCB-style xlsx exports built in tests ------------------------------------------


def make_scb_xlsx(rows: list[list[object]]) -> bytes:
    """An xlsx workbook with one sheet holding ``rows`` (as SCB's exports are laid out)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "000005FE"
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


FOOTER: list[list[object]] = [
    [None],
    ["Källa:"],
    ["SCB"],
    ["Sort:"],
    ["antal"],
    ["Intern referenskod:"],
    ["000005FE"],
]


def _scb_rows(
    data: list[list[object]],
    title: str = "Folkmängden per region efter region, år, utländsk/svensk bakgrund och kön",
) -> list[list[object]]:
    return [
        [title],
        [None],
        [None, "2022", None, None],
        [None, "svensk bakgrund", "utländsk bakgrund", "totalt"],
        [None, "totalt", "totalt", "totalt"],
        *data,
        *FOOTER,
    ]


@pytest.fixture()
def tmp_xlsx(tmp_path: Path):
    def write(rows: list[list[object]], name: str = "export.xlsx") -> Path:
        path = tmp_path / name
        path.write_bytes(make_scb_xlsx(rows))
        return path

    return write


@pytest.fixture()
def scb_rows():
    """Build the rows of an SCB-style export around the given data rows."""
    return _scb_rows


@pytest.fixture(scope="session")
def xlsx_bytes():
    """``make_scb_xlsx`` as a fixture, for tests that build many workbooks."""
    return make_scb_xlsx


# --- A small real database (SCB key, the three exports of the proxy index profile, the Borås
# RegSO overview with official types, the police lists, the programme), built once per session
# with grannskap's own importers; used by tests/goals and tests/measures/socioeconomic.

NEEDED = (
    "koppling_deso2018_regso2020.csv",
    "000006TA",
    "000005MO",
    "000007A8",
    "boras_1490_regso_deso_overview.csv",
    "uso_2023_epsg3006.geojson",
    "uso_2025_attributes_all65.csv",
    "police_lists_national_counts_and_boras.csv",
    "programme.yaml",
)


def build_small_db(path: Path) -> Path:
    from grannskap.demo import demo_files
    from grannskap.ingest.importer import import_file
    from grannskap.store import connect

    con = connect(path)
    try:
        for f in demo_files():
            if any(f.name.startswith(n) or f.name == n for n in NEEDED):
                import_file(con, f)
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.getbasetemp() / "grannskap_socioek_small.duckdb"
    return path if path.exists() else build_small_db(path)


# --- The full demo database (all real SCB/Police data shipped in the package), built once per
# session and shared by tests/report, tests/web and tests/reliability.
@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from grannskap.demo import build_demo
    from grannskap.store import connect

    path = tmp_path_factory.getbasetemp() / "grannskap_demo_full.duckdb"
    if not path.exists():
        con = connect(path)
        try:
            build_demo(con)
        finally:
            con.close()
    return path

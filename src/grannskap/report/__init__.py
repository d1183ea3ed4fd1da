"""The follow-up report: ``grannskap report [--demo] --out DIR [--lang sv|en] [--kommun 1490]``.

Writes ``report.html`` (one self-contained file: inline CSS, inline SVG figures, no external
references), ``report.pdf`` (printed by headless Chromium, page numbers, contents list with
pages, numbered figures and tables), ``report.xlsx`` (every table as a sheet with its source)
and ``areas.gpkg`` (GeoPackage for QGIS). Entry point: :func:`grannskap.report.build.build_report`.

Where things live:

* ``sections/<name>.py`` + ``templates/<name>.html.j2`` — one module and one template per
  section; the registry and display order are in ``sections/__init__.py``. A section whose
  dependency is missing or fails becomes a "not available yet: <why>" box.
* ``data.py`` — the numbers (key indicators as shares computed from DeSO counts, comparison
  group, RegSO table), shared with the dashboard (``grannskap.web``).
* ``svg.py`` — accessible, colour-blind-safe SVG charts; ``format.py`` — Swedish formatting.
* ``render.py`` (HTML), ``pdf.py``, ``xlsx.py``, ``gpkg.py`` — the writers.
* Small counts are suppressed with :mod:`grannskap.privacy` (default: fewer than 5 → "..").
"""

__all__: list[str] = []

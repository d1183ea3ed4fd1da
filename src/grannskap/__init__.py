"""grannskap: follow segregation and the effect of interventions area by area.

Heavy dependencies (duckdb, matplotlib, dask) are imported lazily by the modules that use them,
so ``import grannskap`` and ``grannskap --help`` stay fast.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]

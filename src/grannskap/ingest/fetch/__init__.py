"""HTTP fetchers for SCB PxWebApi v2, Kolada v3 and SCB's geodata WFS (standard library only).

``http`` holds the shared client (rate limiting, retries, cache); ``scb``, ``kolada`` and
``geodata`` the services. Fetchers return :class:`~grannskap.ingest.model.ParsedTable` objects
(or write a GeoJSON file) and never touch the database; ``grannskap fetch`` stores them.
"""

from __future__ import annotations

__all__ = ["http", "scb", "kolada", "geodata"]

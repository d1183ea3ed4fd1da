"""Kolada v3 (https://api.kolada.se/v3, RKA): key figures per municipality and year.

``GET /data/kpi/{kpi}/municipality/{m1,m2,...}/year/{y1,y2,...}`` answers one page
``{"count", "values", "next_url"}``; the client follows ``next_url`` until it is null.
Municipalities and years are sent in batches of at most 25 each (the limits public clients
use), requests are limited to ~5 per second, and the KPI's title is read from ``/kpi/{id}``.
A fetch returns one :class:`~grannskap.ingest.model.ParsedTable` built from all pages, or raises
:class:`~grannskap.errors.FetchError` — never a partial table. See
``shared/api_reference/kolada/STRUCTURE.md``. Licence CC BY 4.0, "Källa: Kolada (RKA)".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from grannskap.errors import ConfigError, FetchError, GrannskapError
from grannskap.ingest.fetch.http import HttpClient, RateLimiter, build_url
from grannskap.ingest.kolada import parse_kolada
from grannskap.ingest.model import ParsedTable

__all__ = ["KOLADA_BASE_URL", "KoladaClient", "batches", "parse_years"]

KOLADA_BASE_URL = "https://api.kolada.se/v3"
KOLADA_CALLS, KOLADA_WINDOW = 5, 1.0
MAX_BATCH = 25
MAX_PAGES = 10_000

_KPI = re.compile(r"^[A-Z]\d{5}$")
_MUNI = re.compile(r"^\d{4}$")


def batches(items: Sequence[str], size: int = MAX_BATCH) -> list[list[str]]:
    """Consecutive batches of at most ``size`` items."""
    return [list(items[k : k + size]) for k in range(0, len(items), size)]


def parse_years(text: str) -> list[int]:
    """``"2018-2024"``, ``"2019,2021"`` or a mix -> sorted list of years."""
    years: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", part)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if a > b:
                raise ConfigError(
                    f"`--years` range {part!r} runs backwards; expected FIRST-LAST such as 2018-2024"
                )
            years.update(range(a, b + 1))
        elif re.fullmatch(r"\d{4}", part):
            years.add(int(part))
        else:
            raise ConfigError(
                f"`--years` was {part!r}; expected a year (2023), a range (2018-2024) or a list (2019,2021)"
            )
    return sorted(years)


class KoladaClient:
    """Client for Kolada v3 data.

    Parameters
    ----------
    base_url
        API root, default :data:`KOLADA_BASE_URL`.
    http
        HTTP client; by default one limited to 5 requests per second.
    """

    def __init__(self, base_url: str = KOLADA_BASE_URL, *, http: HttpClient | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http or HttpClient(limiter=RateLimiter(KOLADA_CALLS, KOLADA_WINDOW))

    def kpi_title(self, kpi: str) -> str:
        """The KPI's Swedish title from ``/kpi/{id}``; raises when Kolada does not know it."""
        url = build_url(self.base_url, f"kpi/{kpi}")
        doc = self.http.get(url).json()
        values = doc.get("values") if isinstance(doc, dict) else None
        if not isinstance(values, list) or not values or not isinstance(values[0], dict):
            raise FetchError(f"Kolada has no KPI {kpi!r} ({url} answered no values)", url=url)
        return str(values[0].get("title") or kpi)

    def pages(self, url: str) -> list[bytes]:
        """All pages from ``url`` on, following ``next_url``."""
        out: list[bytes] = []
        seen: set[str] = set()
        next_url: str | None = url
        while next_url:
            if next_url in seen:
                raise FetchError(f"Kolada paging loops: {next_url} was already read", url=next_url)
            if len(out) >= MAX_PAGES:
                raise FetchError(f"Kolada paging did not end after {MAX_PAGES} pages", url=url)
            seen.add(next_url)
            resp = self.http.get(next_url)
            doc = resp.json()
            if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
                raise FetchError(
                    f"{next_url}: not a Kolada data page (no `values` array)", url=next_url
                )
            out.append(resp.body)
            nxt = doc.get("next_url")
            if nxt is not None and not isinstance(nxt, str):
                raise FetchError(
                    f"{next_url}: `next_url` is {nxt!r}, expected a URL or null", url=next_url
                )
            next_url = nxt or None
        return out

    def fetch(
        self,
        kpi: str,
        municipalities: Iterable[str],
        years: Iterable[int],
        *,
        with_title: bool = True,
    ) -> ParsedTable:
        """All values of ``kpi`` for the municipalities and years (all pages or nothing)."""
        if not _KPI.match(kpi):
            raise ConfigError(f"KPI id was {kpi!r}; expected a Kolada id such as N00945")
        munis = list(dict.fromkeys(municipalities))
        bad = [m for m in munis if not _MUNI.match(m)]
        if bad or not munis:
            raise ConfigError(
                f"municipality ids were {bad or munis!r}; expected four digits such as 1490 (Borås) or 0000 (Riket)"
            )
        yrs = sorted(set(years))
        if not yrs:
            raise ConfigError("no years given; expected e.g. --years 2018-2024")
        pages: list[bytes] = []
        for mb in batches(munis):
            for yb in batches([str(y) for y in yrs]):
                url = build_url(
                    self.base_url, f"data/kpi/{kpi}/municipality/{','.join(mb)}/year/{','.join(yb)}"
                )
                pages += self.pages(url)
        titles = {kpi: self.kpi_title(kpi)} if with_title else {}
        name = build_url(
            self.base_url,
            f"data/kpi/{kpi}/municipality/{','.join(munis)}/year/{','.join(map(str, yrs))}",
        )
        try:
            parsed = parse_kolada(pages, name, kpi_titles=titles)
        except GrannskapError as exc:
            raise FetchError(f"{name}: Kolada's answer is not valid: {exc}", url=name) from None
        if parsed.observations.empty:
            raise FetchError(
                f"Kolada has no values for {kpi} in {munis} for {yrs[0]}-{yrs[-1]}", url=name
            )
        return parsed

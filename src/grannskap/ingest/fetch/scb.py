"""SCB Statistikdatabasen through PxWebApi v2 (https://statistikdatabasen.scb.se/api/v2).

Endpoints used (OpenAPI ``PxAPI-2.yml``, github PxTools/PxApiSpecs):

- ``GET /config`` — limits: ``maxDataCells`` per call, ``maxCallsPerTimeWindow`` per
  ``timeWindow`` seconds (SCB: 30 per 10 s; answers 429 beyond);
- ``GET /tables/{id}/metadata?lang=sv[&codelist[VAR]=ID]`` — the table as a JSON-stat 2
  dataset without values: every variable and value code;
- ``POST /tables/{id}/data?lang=sv&outputFormat=json-stat2`` with body
  ``{"selection": [{"variableCode": V, "valueCodes": [...], "codelist": ID}]}`` (``GET`` with
  ``valuecodes[V]=a,b`` is possible too, but URLs over ~2,100 characters get a 404 at SCB, so
  POST is the default).

A selection over more cells than ``maxDataCells`` is split: value expressions (``*``,
``01*``, ``from(x)``, ``range(a,b)``...) are first expanded against the metadata, then the
variable with the most selected values is cut into chunks that fit, recursively. The chunk
responses are parsed and merged into one :class:`~grannskap.ingest.model.ParsedTable`; if any
chunk fails the whole fetch raises :class:`~grannskap.errors.FetchError` and returns nothing.
"""

from __future__ import annotations

import fnmatch
import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from grannskap.errors import ConfigError, FetchError, GrannskapError
from grannskap.ingest.fetch.http import HttpClient, RateLimiter, Response, build_url
from grannskap.ingest.jsonstat import parse_jsonstat2
from grannskap.ingest.model import ParsedTable

__all__ = [
    "SCB_BASE_URL",
    "ScbTableMeta",
    "Expression",
    "ScbClient",
    "split_selection",
    "expand_values",
]

SCB_BASE_URL = "https://statistikdatabasen.scb.se/api/v2"
SCB_CALLS, SCB_WINDOW = 30, 10.0
DEFAULT_MAX_CELLS = 150_000
MAX_URL_LENGTH = 2_000  # SCB: 404 for URLs longer than about 2,100 characters

_TOP = re.compile(r"^(top|bottom)\((\d+)(?:,\s*(\d+))?\)$", re.IGNORECASE)
_FROM = re.compile(r"^(from|to)\((.+)\)$", re.IGNORECASE)
_RANGE = re.compile(r"^range\((.+),(.+)\)$", re.IGNORECASE)


@dataclass(frozen=True)
class Expression:
    """Value expressions sent as written (``top(n)``), selecting ``count`` values."""

    count: int
    text: tuple[str, ...]


Selected = list[str] | Expression


@dataclass(frozen=True)
class ScbTableMeta:
    """What the fetcher needs from a table's metadata."""

    table_id: str
    label: str
    variables: list[str]
    codes: dict[str, list[str]]
    eliminable: dict[str, bool]
    raw: dict = field(repr=False, default_factory=dict)


def expand_values(expressions: Sequence[str], codes: Sequence[str], variable: str) -> Selected:
    """Expand PxWebApi selection expressions against a variable's value codes.

    Returns the list of codes, or — for ``top(n)``/``bottom(n)``, whose order the server
    decides — an :class:`Expression` with the number of values selected (sent as is).
    Wildcards ``*`` and ``?`` follow ``PxApiSpecs/filter-examples.md``.
    """
    out: list[str] = []
    count_only = 0
    for expr in expressions:
        e = expr.strip()
        m_top, m_from, m_range = _TOP.match(e), _FROM.match(e), _RANGE.match(e)
        if m_top:
            count_only += min(int(m_top.group(2)), len(codes))
            continue
        if m_from:
            x = m_from.group(2).strip()
            if x not in codes:
                raise ConfigError(
                    f"`{variable}`: {x!r} in {e!r} is not a value code of {variable} (e.g. {list(codes[:5])})"
                )
            k = codes.index(x)
            out += list(codes[k:]) if m_from.group(1).lower() == "from" else list(codes[: k + 1])
        elif m_range:
            a, b = m_range.group(1).strip(), m_range.group(2).strip()
            for x in (a, b):
                if x not in codes:
                    raise ConfigError(
                        f"`{variable}`: {x!r} in {e!r} is not a value code of {variable} (e.g. {list(codes[:5])})"
                    )
            i, j = sorted((codes.index(a), codes.index(b)))
            out += list(codes[i : j + 1])
        elif "*" in e or "?" in e:
            hits = [c for c in codes if fnmatch.fnmatchcase(c, e)]
            if not hits:
                raise ConfigError(
                    f"`{variable}`: {e!r} matches no value code of {variable} (e.g. {list(codes[:5])})"
                )
            out += hits
        else:
            if e not in codes:
                raise ConfigError(
                    f"`{variable}`: {e!r} is not a value code of {variable} (e.g. {list(codes[:5])})"
                )
            out.append(e)
    if count_only:
        if out:
            raise ConfigError(
                f"`{variable}`: top()/bottom() cannot be combined with other values ({list(expressions)})"
            )
        return Expression(count_only, tuple(expressions))
    return list(dict.fromkeys(out))


def split_selection(selection: Mapping[str, Selected], max_cells: int) -> list[dict[str, Selected]]:
    """Cut a resolved selection into selections of at most ``max_cells`` cells each.

    The variable with the most explicitly listed values is split into the fewest equal
    chunks that fit; recursion handles selections where one variable is not enough.
    """
    sizes = {v: _size(c) for v, c in selection.items()}
    cells = math.prod(sizes.values()) if sizes else 1
    if cells <= max_cells:
        return [dict(selection)]
    splittable = [v for v, c in selection.items() if isinstance(c, list) and len(c) > 1]
    if not splittable:
        raise ConfigError(
            f"the selection needs {cells} cells in one call, over the limit of {max_cells}; list the values of the variables selected with top()/bottom() explicitly"
        )
    var = max(splittable, key=lambda v: sizes[v])
    values = selection[var]
    codes: list[str] = list(values) if isinstance(values, list) else []
    rest = cells // sizes[var]
    per_chunk = max(1, max_cells // rest)
    n_chunks = math.ceil(len(codes) / per_chunk)
    size = math.ceil(len(codes) / n_chunks)
    out: list[dict[str, Selected]] = []
    for k in range(0, len(codes), size):
        part = dict(selection)
        part[var] = codes[k : k + size]
        out += split_selection(part, max_cells)
    return out


class ScbClient:
    """Client for PxWebApi v2.

    Parameters
    ----------
    base_url
        API root, default :data:`SCB_BASE_URL` (tests point it at a local replay server).
    lang
        ``"sv"`` or ``"en"``.
    http
        The HTTP client; by default one limited to SCB's 30 calls per 10 seconds.
    max_cells
        Cells per call; by default read from ``/config`` (``maxDataCells``).
    method
        ``"POST"`` (default) sends the selection as JSON; ``"GET"`` puts it in the query
        (``valuecodes[VAR]=a,b``) and falls back to POST for a chunk whose URL would be longer
        than ``max_url_length`` (SCB answers 404 for URLs over ~2,100 characters).
    """

    def __init__(
        self,
        base_url: str = SCB_BASE_URL,
        *,
        lang: str = "sv",
        http: HttpClient | None = None,
        max_cells: int | None = None,
        method: Literal["POST", "GET"] = "POST",
        max_url_length: int = MAX_URL_LENGTH,
    ) -> None:
        if method not in ("POST", "GET"):
            raise ConfigError(f"`method` was {method!r}; expected 'POST' or 'GET'")
        self.base_url = base_url.rstrip("/")
        self.lang = lang
        self.method = method
        self.max_url_length = max_url_length
        self.http = http or HttpClient(limiter=RateLimiter(SCB_CALLS, SCB_WINDOW))
        self._max_cells = max_cells
        self._config: dict | None = None

    # ------------------------------------------------------------------ endpoints
    def config(self) -> dict:
        if self._config is None:
            doc = self.http.get(build_url(self.base_url, "config")).json()
            if not isinstance(doc, dict):
                raise FetchError(
                    f"{self.base_url}/config did not answer with an object", url=self.base_url
                )
            self._config = doc
            calls, window = doc.get("maxCallsPerTimeWindow"), doc.get("timeWindow")
            if (
                self.http.limiter is not None
                and isinstance(calls, int)
                and isinstance(window, int | float)
            ):
                self.http.limiter.tighten(calls, float(window))  # never faster than SCB allows
        return self._config

    @property
    def max_cells(self) -> int:
        if self._max_cells is None:
            value = self.config().get("maxDataCells")
            self._max_cells = value if isinstance(value, int) and value > 0 else DEFAULT_MAX_CELLS
        return self._max_cells

    def metadata(self, table_id: str, codelists: Mapping[str, str] | None = None) -> ScbTableMeta:
        params = [("lang", self.lang)] + [
            (f"codelist[{v}]", c) for v, c in (codelists or {}).items()
        ]
        url = build_url(self.base_url, f"tables/{table_id}/metadata", params)
        doc = self.http.get(url).json()
        if (
            not isinstance(doc, dict)
            or not isinstance(doc.get("id"), list)
            or not isinstance(doc.get("dimension"), dict)
        ):
            raise FetchError(f"{url}: not a JSON-stat 2 metadata document", url=url)
        codes: dict[str, list[str]] = {}
        elim: dict[str, bool] = {}
        for var in doc["id"]:
            dim = doc["dimension"].get(var) or {}
            index = (dim.get("category") or {}).get("index")
            if isinstance(index, dict):
                codes[var] = [c for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
            elif isinstance(index, list):
                codes[var] = [str(c) for c in index]
            else:
                raise FetchError(f"{url}: variable {var!r} lists no value codes", url=url)
            elim[var] = bool((dim.get("extension") or {}).get("elimination", False))
        return ScbTableMeta(table_id, str(doc.get("label", "")), list(doc["id"]), codes, elim, doc)

    # ------------------------------------------------------------------ data
    def plan(
        self,
        table_id: str,
        selection: Mapping[str, Sequence[str]] | None = None,
        codelists: Mapping[str, str] | None = None,
        meta: ScbTableMeta | None = None,
    ) -> list[dict[str, Selected]]:
        """The chunks (resolved selections) a fetch of ``selection`` will request.

        Variables not in ``selection`` are eliminated when the table allows it, otherwise
        all their values are selected.
        """
        meta = meta or self.metadata(table_id, codelists)
        selection = dict(selection or {})
        unknown = [v for v in selection if v not in meta.codes]
        if unknown:
            raise ConfigError(
                f"table {table_id} has no variable {unknown[0]!r}; its variables are {meta.variables}"
            )
        resolved: dict[str, Selected] = {}
        for var in meta.variables:
            if var in selection:
                resolved[var] = expand_values(list(selection[var]), meta.codes[var], var)
            elif not meta.eliminable.get(var, False):
                resolved[var] = list(meta.codes[var])
        return split_selection(resolved, self.max_cells)

    def fetch(
        self,
        table_id: str,
        selection: Mapping[str, Sequence[str]] | None = None,
        codelists: Mapping[str, str] | None = None,
        meta: ScbTableMeta | None = None,
    ) -> ParsedTable:
        """Fetch a selection of a table as one :class:`ParsedTable` (all chunks or nothing).

        ``meta``: the table's metadata when the caller has read it already (one request less
        per fetch; it must be for the same ``codelists``)."""
        codelists = dict(codelists or {})
        meta = meta or self.metadata(table_id, codelists)
        chunks = self.plan(table_id, selection, codelists, meta)
        url = build_url(
            self.base_url,
            f"tables/{table_id}/data",
            [("lang", self.lang), ("outputFormat", "json-stat2")],
        )
        parts: list[ParsedTable] = []
        hashes: list[bytes] = []
        for k, chunk in enumerate(chunks):
            resp = self._request(url, table_id, chunk, codelists)
            name = f"{url} (chunk {k + 1} of {len(chunks)})" if len(chunks) > 1 else url
            try:
                part = parse_jsonstat2(resp.body, name, table_id=table_id)
            except GrannskapError as exc:
                raise FetchError(
                    f"{name}: the answer is not a valid JSON-stat 2 dataset: {exc}", url=url
                ) from None
            expected = math.prod(_size(v) for v in chunk.values())
            if len(part.observations) != expected:
                raise FetchError(
                    f"{name}: SCB answered {len(part.observations)} cells, {expected} were asked for",
                    url=url,
                )
            parts.append(part)
            hashes.append(bytes.fromhex(part.file_hash))
        merged = _merge(parts, url)
        if len(parts) > 1:
            merged.file_hash = hashlib.sha256(b"".join(hashes)).hexdigest()
            merged.notes.append(f"fetched in {len(parts)} requests (maxDataCells {self.max_cells})")
        return merged

    def _request(
        self, url: str, table_id: str, chunk: Mapping[str, Selected], codelists: Mapping[str, str]
    ) -> Response:
        codes = {v: (c if isinstance(c, list) else list(c.text)) for v, c in chunk.items()}
        if self.method == "GET":
            params = [("lang", self.lang), ("outputFormat", "json-stat2")]
            params += [(f"valuecodes[{v}]", ",".join(c)) for v, c in codes.items()]
            params += [(f"codelist[{v}]", codelists[v]) for v in codes if v in codelists]
            get_url = build_url(self.base_url, f"tables/{table_id}/data", params)
            if len(get_url) <= self.max_url_length:
                return self.http.get(get_url)
        body = {
            "selection": [
                {
                    "variableCode": v,
                    "valueCodes": c,
                    **({"codelist": codelists[v]} if v in codelists else {}),
                }
                for v, c in codes.items()
            ]
        }
        return self.http.post_json(url, body)


def _size(selected: Selected) -> int:
    return len(selected) if isinstance(selected, list) else selected.count


def _merge(parts: list[ParsedTable], url: str) -> ParsedTable:
    first = parts[0]
    if len(parts) == 1:
        return first
    obs = pd.concat([p.observations for p in parts], ignore_index=True)
    key = ["indicator_id", "area_code", "year", "breakdown"]
    if obs.duplicated(key).any():
        raise FetchError(f"{url}: the chunk answers overlap (same cell twice)", url=url)
    indicators = {i.indicator_id: i for p in parts for i in p.indicators}
    areas = {a.code: a for p in parts for a in p.areas}
    notes = list(dict.fromkeys(n for p in parts for n in p.notes))
    return ParsedTable(
        source=first.source,
        table_id=first.table_id,
        title=first.title,
        file_name=url,
        file_hash=first.file_hash,
        observations=obs,
        indicators=list(indicators.values()),
        areas=list(areas.values()),
        notes=notes,
        year=max((p.year for p in parts if p.year is not None), default=None),
    )

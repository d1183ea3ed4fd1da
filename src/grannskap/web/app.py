"""The dashboard as a plain request -> response function (served by :mod:`grannskap.web.server`).

Every parameter is validated against what the database holds; unknown kommun, area, year or
table gives a helpful 404 page, a malformed request a 400 page, and an unexpected error a
plain 500 page without traceback (logged on the server).
"""

from __future__ import annotations

import logging
import math
import re
import threading
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlencode

import jinja2

from grannskap.errors import DataNotFoundError, GrannskapError, HttpError
from grannskap.report import svg
from grannskap.report.context import Figure
from grannskap.report.data import KEY_INDICATORS
from grannskap.report.render import environment as report_environment
from grannskap.report.render import format_cell
from grannskap.report.sections import SECTIONS
from grannskap.web.data import Dashboard, DashboardCache
from grannskap.web.downloads import download
from grannskap.web.pages import area_parts, tile_map
from grannskap.web.responses import Response

__all__ = ["App", "Response", "CSP", "HttpError"]

log = logging.getLogger("grannskap.web")

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
_SECURITY = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
SECTION_PAGES = SECTIONS  # the dashboard offers every report section as a page


class App:
    def __init__(
        self, cache: DashboardCache, default_kommun: str = "1490", cache_responses: bool = True
    ) -> None:
        self.cache = cache
        self.default_kommun = default_kommun
        self.cache_responses = cache_responses
        self.ready = threading.Event()
        self.ready.set()
        self.cache_max_items = 2000
        self.cache_max_bytes = 200_000_000
        self._cache: dict[tuple[str, str], Response] = {}
        self._cache_lock = threading.Lock()
        self._cache_bytes = 0
        loader = jinja2.ChoiceLoader(
            [
                jinja2.PackageLoader("grannskap.web", "templates"),
                jinja2.PackageLoader("grannskap.report", "templates"),
            ]
        )
        self._envs: dict[str, jinja2.Environment] = {}
        for lang in ("sv", "en"):
            env = report_environment(lang).overlay(loader=loader)
            self._envs[lang] = env

    def replace_cache(self, cache: DashboardCache) -> DashboardCache:
        """Serve ``cache`` (a new data version) from now on; returns the previous one. Cached
        answers of the old version are dropped at the same moment."""
        with self._cache_lock:
            old, self.cache = self.cache, cache
            self._cache = {}
            self._cache_bytes = 0
        return old

    # ---- entry point ------------------------------------------------------------------
    def handle(self, path: str, query: str = "") -> Response:
        """Answer one GET request. The database is read-only, so a successful response for the
        same path and query never changes: it is kept in a bounded in-memory cache.

        When the cache is full, new answers are simply not cached (nothing is evicted): a
        client sending endless URL variants (``/areas//``, ``?v=N``) can then neither grow
        memory nor push the pages already cached out of it."""
        key = (path, query)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        generation = self._cache
        resp = self._handle(path, query)
        if self.cache_responses and resp.status == 200 and len(resp.body) < 2_000_000:
            with self._cache_lock:
                if generation is self._cache and (
                    self._cache_bytes + len(resp.body) <= self.cache_max_bytes
                    and len(self._cache) < self.cache_max_items
                ):
                    self._cache[key] = resp
                    self._cache_bytes += len(resp.body)
        return resp

    def _handle(self, path: str, query: str) -> Response:
        lang = "sv"
        try:
            params = self._params(query)
            lang = self._choice(params, "lang", ("sv", "en"), "sv")
            return self._route(path, params, lang)
        except HttpError as exc:
            return self._error(exc.status, exc.message, exc.hint, lang)
        except DataNotFoundError as exc:
            return self._error(404, str(exc), "", lang)
        except GrannskapError as exc:
            return self._error(400, str(exc), "", lang)
        except Exception:  # noqa: BLE001 - never show a traceback to the browser
            log.exception("error while serving %s?%s", path, query)
            return self._error(500, "internal error", "", lang)

    # ---- parameters ---------------------------------------------------------------------
    @staticmethod
    def _params(query: str) -> dict[str, str]:
        if len(query) > 2000:
            raise HttpError(400, "the query string is too long")
        try:
            parsed = parse_qs(
                query, keep_blank_values=True, strict_parsing=False, max_num_fields=20
            )
        except ValueError as exc:
            raise HttpError(400, f"malformed query string: {exc}") from None
        out = {}
        for k, v in parsed.items():
            if len(v) != 1:
                raise HttpError(400, f"parameter {k!r} was given {len(v)} times; give it once")
            out[k] = v[0]
        return out

    @staticmethod
    def _allow(params: dict[str, str], allowed: tuple[str, ...]) -> None:
        allowed = (*allowed, "kommun", "lang")
        for k in params:
            if k not in allowed:
                raise HttpError(
                    400, f"unknown parameter {k!r}", f"allowed here: {', '.join(sorted(allowed))}"
                )

    @staticmethod
    def _choice(params: dict[str, str], key: str, options: tuple[str, ...], default: str) -> str:
        value = params.get(key, default)
        if value not in options:
            raise HttpError(
                404 if key != "lang" else 400,
                f"{key} {value!r} is not known",
                f"expected one of: {', '.join(options)}",
            )
        return value

    def _dash(self, params: dict[str, str], lang: str) -> Dashboard:
        kommun = params.get("kommun", self.default_kommun)
        if not re.fullmatch(r"\d{4}", kommun) or kommun not in self.cache.kommuner:
            raise HttpError(
                404,
                f"kommun {kommun!r} is not in the database",
                "expected a four-digit municipality code such as 1490 (Borås)",
            )
        return self.cache.get(kommun, lang)

    # ---- routing ------------------------------------------------------------------------
    def _route(self, path: str, params: dict[str, str], lang: str) -> Response:
        if path.startswith("/static/"):
            return self._static(path[len("/static/") :])
        if path == "/healthz":  # 503 until every prepared language is ready (for load balancers)
            if not self.ready.is_set():
                return Response(503, b"warming up", "text/plain; charset=utf-8")
            return Response(200, b"ok", "text/plain; charset=utf-8")
        if path == "/favicon.ico":
            return Response(204, b"", "image/x-icon")
        parts = [p for p in path.split("/") if p]
        if not parts:
            self._allow(params, ())
            return self._home(self._dash(params, lang), params)
        head = parts[0]
        if head == "areas" and len(parts) == 1:
            self._allow(params, ("level",))
            return self._areas(self._dash(params, lang), params)
        if head == "area" and len(parts) == 3:
            self._allow(params, ())
            return self._area(self._dash(params, lang), params, parts[1], parts[2])
        if head == "indicators" and len(parts) == 1:
            self._allow(params, ("indicator", "level", "year"))
            return self._indicators(self._dash(params, lang), params)
        if head == "goals" and len(parts) == 1:
            self._allow(params, ("malomrade",))
            return self._goals(self._dash(params, lang), params)
        if head == "section" and len(parts) == 2:
            self._allow(params, ())
            return self._section(self._dash(params, lang), params, parts[1])
        if head == "download" and len(parts) == 2:
            self._allow(params, ())
            return download(self._dash(params, lang), parts[1])
        raise HttpError(404, f"page {path!r} does not exist", "start from the overview page /")

    # ---- helpers -------------------------------------------------------------------------
    def _render(
        self, d: Dashboard, template: str, params: dict[str, str], status: int = 200, **kw: Any
    ) -> Response:
        env = self._envs[d.ctx.lang]
        base = {"kommun": d.ctx.kommun, "lang": d.ctx.lang}

        def url(path: str, **extra: Any) -> str:
            q = {**base, **{k: v for k, v in extra.items() if v is not None}}
            return path + "?" + urlencode(q)

        html = env.get_template(template).render(
            d=d,
            ctx=d.ctx,
            t=d.ctx.t,
            url=url,
            params=params,
            sections=SECTION_PAGES,
            kommuner=sorted(self.cache.kommuner.items(), key=lambda kv: kv[1]),
            link_prefix="",
            **kw,
        )
        return Response(status, html.encode("utf-8"))

    def _error(self, status: int, message: str, hint: str, lang: str) -> Response:
        env = self._envs.get(lang, self._envs["sv"])
        html = env.get_template("error.html.j2").render(
            status=status, message=message, hint=hint, lang=lang
        )
        return Response(status, html.encode("utf-8"))

    @staticmethod
    def _static(name: str) -> Response:
        if not re.fullmatch(r"[a-z0-9_-]+\.(css|js|svg)", name):
            raise HttpError(404, f"static file {name!r} does not exist")
        if name == "report.css":  # the report's own stylesheet: same look as report.html
            res = resources.files("grannskap.report").joinpath("templates").joinpath(name)
        else:
            res = resources.files("grannskap.web").joinpath("static").joinpath(name)
        if not res.is_file():
            raise HttpError(404, f"static file {name!r} does not exist")
        ctype = {"css": "text/css", "js": "text/javascript", "svg": "image/svg+xml"}[
            name.rsplit(".", 1)[1]
        ]
        return Response(
            200, res.read_bytes(), ctype + "; charset=utf-8", {"Cache-Control": "max-age=3600"}
        )

    # ---- pages ---------------------------------------------------------------------------
    def _url_factory(self, d: Dashboard) -> Any:
        def url(path: str, **extra: Any) -> str:
            return path + "?" + urlencode({"kommun": d.ctx.kommun, "lang": d.ctx.lang, **extra})

        return url

    def _home(self, d: Dashboard, params: dict[str, str]) -> Response:
        return self._render(
            d,
            "home.html.j2",
            params,
            tile_fig=tile_map(d, self._url_factory(d)),
            summary=d.sections["summary"],
        )

    def _areas(self, d: Dashboard, params: dict[str, str]) -> Response:
        level = self._choice(params, "level", ("regso", "deso", "stadsdel", "police"), "regso")
        rows = sorted(
            ((code, name) for (lv, code), name in d.names.items() if lv == level),
            key=lambda r: r[0],
        )
        return self._render(
            d,
            "areas.html.j2",
            params,
            level=level,
            rows=rows,
            tile_fig=tile_map(d, self._url_factory(d)) if level == "regso" else None,
        )

    def _area(self, d: Dashboard, params: dict[str, str], level: str, code: str) -> Response:
        info, fig, table = area_parts(d, level, code)
        return self._render(d, "area.html.j2", params, info=info, fig=fig, table=table)

    def _indicators(self, d: Dashboard, params: dict[str, str]) -> Response:
        ctx = d.ctx
        keys = [k.key for k in KEY_INDICATORS if k.key in d.regso.columns]
        indicator = self._choice(params, "indicator", tuple(keys), keys[0])
        level = self._choice(params, "level", ("regso", "deso", "stadsdel"), "regso")
        years = tuple(
            str(y)
            for y in sorted(d.sections["indicators"].data.get("years", [ctx.year]))
            if int(y) == ctx.year
        ) or (str(ctx.year),)
        year = params.get("year", str(ctx.year))
        if year not in years:
            raise HttpError(
                404, f"no key-indicator data for year {year!r}", f"available: {', '.join(years)}"
            )
        k = next(k for k in KEY_INDICATORS if k.key == indicator)
        if level == "regso":
            frame = d.regso[["regso", "name", indicator]].rename(columns={"regso": "code"})
        elif level == "deso":
            frame = (
                d.deso[["deso", indicator]]
                .rename(columns={"deso": "code"})
                .assign(name=lambda f: "DeSO " + f["code"])
            )
        else:
            frame = d.stadsdel[["code", "name", indicator]]
        frame = frame.sort_values(indicator, ascending=False, na_position="last")
        ser = [(k.name(ctx.lang), list(frame[indicator].astype(float)))]
        alt = (
            ctx.t(
                f"{k.name_sv} per område, {len(frame)} områden, sorterade från högst till lägst. {ctx.kommun_name}: ",
                f"{k.name_en} per area, {len(frame)} areas, sorted from highest to lowest. {ctx.kommun_name}: ",
            )
            + format_cell(d.kommun_shares.get(indicator), "pct1", ctx.lang)
            + ", "
            + ctx.t("riket", "Sweden")
            + ": "
            + format_cell(d.riket_shares.get(indicator), "pct1", ctx.lang)
            + "."
        )
        fig = Figure(
            "indicator-ranking",
            f"{k.name(ctx.lang)} ({k.population(ctx.lang)}), {year}",
            svg.bar_chart(
                list(frame["name"].astype(str)),
                ser,
                title=k.name(ctx.lang),
                desc=alt,
                lang=ctx.lang,
                refs=[
                    (ctx.kommun_name, float(d.kommun_shares.get(indicator, math.nan))),
                    (ctx.t("Riket", "Sweden"), float(d.riket_shares.get(indicator, math.nan))),
                ],
            ),
            alt,
            ctx.t(
                f"SCB {k.source_table}, statistikår {year}; egen bearbetning.",
                f"SCB {k.source_table}, year {year}; own calculations.",
            ),
            1,
        )
        return self._render(
            d,
            "indicators.html.j2",
            params,
            fig=fig,
            frame=frame,
            indicator=k,
            level=level,
            year=year,
            years=years,
            keys=[(kk.key, kk.name(ctx.lang)) for kk in KEY_INDICATORS if kk.key in keys],
        )

    def _goals(self, d: Dashboard, params: dict[str, str]) -> Response:
        mos = d.malomraden
        ids = tuple(m[0] for m in mos)
        mo = self._choice(params, "malomrade", ("all", *ids), "all")
        sel = [m for m in mos if mo in ("all", m[0])]
        indicators = [k for k in KEY_INDICATORS if k.malomrade_id in {m[0] for m in sel}]
        return self._render(
            d,
            "goals.html.j2",
            params,
            malomraden=mos,
            selected=mo,
            indicators=indicators,
            interventions=[
                r for r in d.intervention_records if mo == "all" or r["malomrade_id"] == mo
            ],
            funding=[r for r in d.funding_records if mo == "all" or r["malomrade_id"] == mo],
            goals_section=d.sections["goals"],
        )

    def _section(self, d: Dashboard, params: dict[str, str], name: str) -> Response:
        if name not in SECTION_PAGES:
            raise HttpError(
                404,
                f"section {name!r} does not exist",
                "expected one of: " + ", ".join(SECTION_PAGES),
            )
        return self._render(d, "section.html.j2", params, section=d.sections[name])


def security_headers() -> dict[str, str]:
    return dict(_SECURITY)

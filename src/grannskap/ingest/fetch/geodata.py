"""SCB's open geodata WFS: DeSO/RegSO polygons as a GeoJSON file (EPSG:3006).

``GET https://geodata.scb.se/geoserver/stat/wfs?service=WFS&version=1.1.0&request=GetFeature
&typeName=stat:DeSO_2018&outputFormat=application/json&srsName=EPSG:3006
&maxFeatures=N&startIndex=K[&CQL_FILTER=kommun='1490']`` (GeoServer; paging with
``startIndex``/``maxFeatures``, a GeoServer extension to WFS 1.1.0). Pages are read until one
comes back short or empty; the features are checked (unique ids, polygon geometry, SWEREF 99 TM)
and written atomically as one FeatureCollection. Licence CC0, "Källa: SCB".

The kommun attribute differs between layers (DeSO_2018/RegSO_2020: ``kommun``; the 2025 layers:
``kommunkod``); :data:`KOMMUN_FIELD` holds the mapping, which can be overridden.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grannskap.errors import ConfigError, FetchError
from grannskap.ingest.fetch.http import HttpClient, RateLimiter, build_url

__all__ = ["GEODATA_WFS_URL", "LAYERS", "KOMMUN_FIELD", "GeodataResult", "GeodataClient"]

GEODATA_WFS_URL = "https://geodata.scb.se/geoserver/stat/wfs"
LAYERS = ("DeSO_2018", "DeSO_2025", "RegSO_2020", "RegSO_2025")
KOMMUN_FIELD = {
    "DeSO_2018": "kommun",
    "RegSO_2020": "kommun",
    "DeSO_2025": "kommunkod",
    "RegSO_2025": "kommunkod",
}
CRS_3006 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}
_CRS_OK = re.compile(r"(EPSG::?|EPSG/0/)3006$")


@dataclass(frozen=True)
class GeodataResult:
    path: Path
    layer: str
    n_features: int
    n_requests: int


class GeodataClient:
    """WFS 1.1.0 GetFeature client for SCB's ``stat`` workspace."""

    def __init__(
        self,
        base_url: str = GEODATA_WFS_URL,
        *,
        http: HttpClient | None = None,
        page_size: int = 1000,
    ) -> None:
        if page_size < 1:
            raise ConfigError(f"page size was {page_size}; expected at least 1")
        self.base_url = base_url
        self.http = http or HttpClient(limiter=RateLimiter(5, 1.0), timeout=300.0)
        self.page_size = page_size

    def features(
        self, layer: str, *, kommun: str | None = None, kommun_field: str | None = None
    ) -> tuple[dict, int]:
        """All features of ``layer`` (optionally of one kommun) as a FeatureCollection."""
        if layer not in LAYERS:
            raise ConfigError(f"`--layer` was {layer!r}; expected one of {list(LAYERS)}")
        if kommun is not None and not re.fullmatch(r"\d{4}", kommun):
            raise ConfigError(
                f"`--kommun` was {kommun!r}; expected a four-digit kommun code such as 1490"
            )
        feats: list[dict] = []
        ids: set[str] = set()
        start, requests, total = 0, 0, None
        while True:
            params = [
                ("service", "WFS"),
                ("version", "1.1.0"),
                ("request", "GetFeature"),
                ("typeName", f"stat:{layer}"),
                ("outputFormat", "application/json"),
                ("srsName", "EPSG:3006"),
                ("maxFeatures", str(self.page_size)),
                ("startIndex", str(start)),
            ]
            if kommun is not None:
                params.append(("CQL_FILTER", f"{kommun_field or KOMMUN_FIELD[layer]}='{kommun}'"))
            url = build_url(self.base_url, "", params)
            doc: Any = self.http.get(url).json()
            requests += 1
            page = _check_page(doc, url)
            for f in page:
                fid = f.get("id")
                if isinstance(fid, str):
                    if fid in ids:
                        raise FetchError(
                            f"{url}: feature {fid!r} came twice (paging is not stable)", url=url
                        )
                    ids.add(fid)
            feats += page
            if isinstance(doc.get("totalFeatures"), int):
                total = doc["totalFeatures"]
            if len(page) < self.page_size or (total is not None and len(feats) >= total):
                break
            start += len(page)
        if total is not None and len(feats) != total:
            raise FetchError(
                f"{self.base_url}: read {len(feats)} features of {layer}, the server announced {total}",
                url=self.base_url,
            )
        if not feats:
            raise FetchError(
                f"{self.base_url}: no features in stat:{layer}"
                + (f" for kommun {kommun}" if kommun else ""),
                url=self.base_url,
            )
        return {
            "type": "FeatureCollection",
            "name": layer,
            "crs": CRS_3006,
            "features": feats,
        }, requests

    def fetch_to_file(
        self, layer: str, out: str | Path, *, kommun: str | None = None
    ) -> GeodataResult:
        """Fetch and write the GeoJSON file (atomically: complete file or none)."""
        collection, requests = self.features(layer, kommun=kommun)
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
        return GeodataResult(path, layer, len(collection["features"]), requests)


def _check_page(doc: Any, url: str) -> list[dict]:
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(doc.get("features"), list)
    ):
        raise FetchError(f"{url}: not a GeoJSON FeatureCollection", url=url)
    crs = doc.get("crs")
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if isinstance(name, str) and not _CRS_OK.search(name):
        raise FetchError(
            f"{url}: features are in {name}, expected EPSG:3006 (SWEREF 99 TM)", url=url
        )
    page = doc["features"]
    for k, f in enumerate(page):
        geom = f.get("geometry") if isinstance(f, dict) else None
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            got = geom.get("type") if isinstance(geom, dict) else geom
            raise FetchError(
                f"{url}: feature {k} has geometry {got!r}, expected a Polygon or MultiPolygon",
                url=url,
            )
    return page

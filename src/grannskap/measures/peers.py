"""Comparison municipalities that are alike, chosen on several standardised indicators (pure).

Like Kolada's *likhetsutsökning* ("hitta liknande kommuner"): every municipality is described
by a few indicators; each indicator is standardised over all municipalities (z-score: minus
the mean, divided by the standard deviation; population on a log scale first, so that a
municipality twice the size is as far away as one half the size); the distance between two
municipalities is the Euclidean distance of their z-scores divided by the square root of the
number of indicators (the root-mean-square difference, in standard deviations); the ``k``
nearest are the peers, ties broken by the municipality code so the choice is deterministic.

An indicator the municipality itself lacks, or that fewer than half of the municipalities
have, is left out and named (e.g. the share of RegSO with områdestyp 1–2 where types exist for
few municipalities); a municipality lacking one of the indicators used is not a candidate.
:func:`override_peers` records a group given by the user (``grannskap report --compare``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from grannskap.errors import ConfigError, DataNotFoundError

__all__ = ["PEER_FEATURES", "PeerChoice", "choose_peers", "override_peers"]

PEER_FEATURES: dict[str, tuple[str, str]] = {
    "folkmangd": ("folkmängd (logaritmerad)", "population (log scale)"),
    "utrikes_fodda": ("andel utrikes födda", "share foreign-born"),
    "hyresratt": ("andel hyresrätter", "share of rental dwellings"),
    "loneinkomst_medel": ("medelvärde för löneinkomst", "mean wage income"),
    "typ_1_2": (
        "andel RegSO med områdestyp 1–2 (stora eller betydande socioekonomiska utmaningar; beräknad av grannskap)",
        "share of RegSO with områdestyp 1–2 (major or considerable socioeconomic challenges; computed by grannskap)",
    ),
}
"""The indicators the default choice uses (column name → Swedish, English description)."""
LOG_FEATURES = ("folkmangd",)
MIN_COVERAGE = 0.5


@dataclass(frozen=True)
class PeerChoice:
    """The chosen peers (``kommun, distance``, nearest first) and how they were chosen."""

    kommun: str
    peers: pd.DataFrame
    used: tuple[str, ...]  # feature columns used
    dropped: tuple[str, ...]  # feature columns left out (own value missing, low coverage)
    k: int
    year: int | None = None
    overridden: bool = False

    @property
    def codes(self) -> list[str]:
        return [str(c) for c in self.peers["kommun"]]

    def method(self, lang: str = "sv") -> str:
        """One paragraph stating how the group was chosen, in ``lang``."""
        en = lang == "en"
        if self.overridden:
            return (
                f"The {len(self.peers)} comparison municipalities were given by the user "
                "(--compare), not chosen by similarity."
                if en
                else f"De {len(self.peers)} jämförelsekommunerna angavs av användaren "
                "(--compare) och valdes inte efter likhet."
            )
        names = [PEER_FEATURES.get(f, (f, f))[1 if en else 0] for f in self.used]
        year = f" ({self.year})" if self.year is not None else ""
        if en:
            text = (
                f"The {self.k} comparison municipalities are those most alike (like Kolada's "
                f"likhetsutsökning) in {', '.join(names)}{year}: each indicator is "
                "standardised over all municipalities (z-score) and the distance is the "
                "root-mean-square difference of the z-scores; the nearest are chosen."
            )
            if self.dropped:
                left = [PEER_FEATURES.get(f, (f, f))[1] for f in self.dropped]
                text += f" Left out for lack of data: {', '.join(left)}."
            return text
        text = (
            f"De {self.k} jämförelsekommunerna är de som liknar kommunen mest (som Koladas "
            f"likhetsutsökning) i {', '.join(names)}{year}: varje mått standardiseras över "
            "alla kommuner (z-värde) och avståndet är roten ur medelvärdet av de kvadrerade "
            "skillnaderna i z-värde; de närmaste väljs."
        )
        if self.dropped:
            left = [PEER_FEATURES.get(f, (f, f))[0] for f in self.dropped]
            text += f" Utelämnat i brist på data: {', '.join(left)}."
        return text


def choose_peers(
    features: pd.DataFrame,
    kommun: str,
    k: int = 10,
    *,
    year: int | None = None,
    weights: Mapping[str, float] | None = None,
) -> PeerChoice:
    """The ``k`` municipalities nearest to ``kommun`` on the standardised ``features``.

    Parameters
    ----------
    features : DataFrame
        One row per municipality: a ``kommun`` column and one numeric column per indicator
        (any of :data:`PEER_FEATURES`, or others; NaN = missing).
    kommun : str
        The municipality to find peers for.
    k : int
        Number of peers.
    weights : mapping, optional
        Weight per indicator column (default 1 each).
    """
    if k < 1:
        raise ConfigError(f"`k` was {k} but is expected to be at least 1")
    frame = features.drop_duplicates("kommun").set_index("kommun")
    if kommun not in frame.index:
        raise DataNotFoundError(
            f"municipality {kommun!r} has none of the indicators used to find similar "
            "municipalities; expected its population at least"
        )
    cols = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    own = frame.loc[kommun]
    used = [c for c in cols if pd.notna(own[c]) and frame[c].notna().mean() >= MIN_COVERAGE]
    dropped = [c for c in cols if c not in used]
    if not used:
        raise DataNotFoundError(
            f"no indicator to compare municipality {kommun!r} on; expected e.g. its population"
        )
    x = frame[used].astype("float64").copy()
    for c in used:
        if c in LOG_FEATURES:
            x[c] = np.log(x[c].where(x[c] > 0))
    sd = x.std(ddof=0).replace(0.0, np.nan)
    z = (x - x.mean()) / sd
    z = z.fillna({c: 0.0 for c in used if np.isnan(sd[c])})  # constant indicator: no weight
    w = pd.Series({c: float((weights or {}).get(c, 1.0)) for c in used})
    diff2 = (z - z.loc[kommun]) ** 2
    dist = np.sqrt((diff2 * w).sum(axis=1, min_count=len(used)) / w.sum())
    cand = pd.DataFrame({"kommun": dist.index.astype(str), "distance": dist.to_numpy()})
    cand = cand[(cand["kommun"] != kommun) & cand["distance"].notna()]
    # rounded for the order, so that floating-point noise never breaks a tie (the code does)
    cand = cand.assign(_key=cand["distance"].round(10))
    cand = cand.sort_values(["_key", "kommun"], kind="stable").drop(columns="_key").head(k)
    peers = cand.merge(frame[used].reset_index(), on="kommun", how="left")
    return PeerChoice(
        kommun=kommun,
        peers=peers.reset_index(drop=True),
        used=tuple(used),
        dropped=tuple(dropped),
        k=k,
        year=year,
    )


def override_peers(
    features: pd.DataFrame, kommun: str, codes: Sequence[str], *, year: int | None = None
) -> PeerChoice:
    """The group the user gave (``--compare``), checked against the known municipalities."""
    codes = [str(c).strip() for c in codes if str(c).strip()]
    known = set(features["kommun"].astype(str))
    bad = [c for c in codes if c not in known or c == kommun]
    if bad or not codes:
        raise ConfigError(
            f"`--compare` was {','.join(codes)!r} but is expected to be comma-separated codes of "
            f"other municipalities (four digits, e.g. 1480,1380); not known or the kommun "
            f"itself: {bad}"
        )
    cols = [c for c in features.columns if c != "kommun"]
    peers = (
        pd.DataFrame({"kommun": list(dict.fromkeys(codes))})
        .assign(distance=np.nan)
        .merge(features.drop_duplicates("kommun")[["kommun", *cols]], on="kommun", how="left")
    )
    return PeerChoice(
        kommun=kommun,
        peers=peers,
        used=(),
        dropped=(),
        k=len(peers),
        year=year,
        overridden=True,
    )

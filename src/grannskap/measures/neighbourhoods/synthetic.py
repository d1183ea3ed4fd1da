"""A SYNTHETIC Sweden-like population on a SWEREF 99 TM grid (for benchmarks and tests).

THIS IS SIMULATED DATA. It is not derived from any register or from SCB's grid statistics;
it only imitates the shape of the problem that individualised neighbourhoods meet at national
scale: a few large, many small and very many tiny settlements, a sparse countryside that
thins out towards the north, and neighbourhoods of different group composition inside towns.

Construction (all random draws from one seed):

* Land: a coarse hand-drawn polygon roughly following Sweden's outline in EPSG:3006.
* Towns: 30 anchors at approximate positions of Sweden's largest towns, with sizes
  proportional to their rounded populations, plus ~400 further towns placed at random on land
  (more in the south) with Pareto-distributed sizes. Persons are placed around one or more
  centres per town at a Gamma(2, s) distance with ``s`` proportional to the square root of
  the town's population (a dense core and a thinning fringe).
* Segregated neighbourhoods: each town is cut into sectors x distance bands; every patch gets
  its own group shares from a Dirichlet draw around the national shares, so the composition
  of neighbourhoods differs much more than random allocation would produce.
* Countryside: hamlets of a few to a few dozen persons, partly in commuter belts around towns
  and partly anywhere on land (density falling to the north), mostly of the majority group.
* Groups: four, ``g0`` (about 75 %), ``g1``, ``g2``, ``g3``.

Persons are snapped to the lower-left corner of their ``cell_size`` cell and counted per cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from grannskap.errors import ConfigError
from grannskap.measures.neighbourhoods._grid import SWEREF99TM_X, SWEREF99TM_Y

__all__ = ["SYNTHETIC_LABEL", "SyntheticPopulation", "synthetic_sweden", "SWEDEN_OUTLINE"]

SYNTHETIC_LABEL = "SYNTHETIC (simulated) Sweden-like population - not real data"

#: Very coarse outline of Sweden in SWEREF 99 TM (metres), for placing synthetic settlements.
SWEDEN_OUTLINE: np.ndarray = np.array(
    [
        (373_000, 6_135_000), (440_000, 6_140_000), (455_000, 6_170_000), (445_000, 6_200_000),
        (500_000, 6_225_000), (585_000, 6_230_000), (600_000, 6_300_000), (605_000, 6_400_000),
        (640_000, 6_480_000), (690_000, 6_530_000), (730_000, 6_600_000), (700_000, 6_680_000),
        (640_000, 6_720_000), (630_000, 6_850_000), (650_000, 6_950_000), (720_000, 7_050_000),
        (790_000, 7_130_000), (820_000, 7_220_000), (900_000, 7_300_000), (920_000, 7_340_000),
        (880_000, 7_450_000), (830_000, 7_600_000), (770_000, 7_660_000), (700_000, 7_620_000),
        (650_000, 7_560_000), (560_000, 7_400_000), (470_000, 7_200_000), (430_000, 7_100_000),
        (380_000, 7_000_000), (350_000, 6_850_000), (330_000, 6_700_000), (350_000, 6_650_000),
        (335_000, 6_590_000), (300_000, 6_540_000), (280_000, 6_540_000), (290_000, 6_450_000),
        (310_000, 6_390_000), (330_000, 6_300_000), (360_000, 6_230_000), (345_000, 6_200_000),
        (370_000, 6_170_000),
    ],
    dtype=float,
)  # fmt: skip

# (easting, northing, population in thousands): approximate, rounded; only to shape the
# synthetic urban hierarchy.
_ANCHORS: tuple[tuple[float, float, float], ...] = (
    (674_000, 6_580_000, 1600), (319_000, 6_400_000, 600), (374_000, 6_164_000, 350),
    (647_000, 6_638_000, 180), (589_000, 6_610_000, 130), (514_000, 6_574_000, 125),
    (536_000, 6_477_000, 115), (361_000, 6_224_000, 110), (450_000, 6_405_000, 100),
    (568_000, 6_495_000, 95), (387_000, 6_175_000, 95), (758_000, 7_087_000, 90),
    (617_000, 6_730_000, 80), (373_000, 6_399_000, 75), (650_000, 6_563_000, 75),
    (585_000, 6_583_000, 70), (370_000, 6_282_000, 70), (478_000, 6_306_000, 70),
    (413_000, 6_586_000, 65), (617_000, 6_920_000, 60), (470_000, 7_004_000, 50),
    (337_000, 6_462_000, 50), (833_000, 7_290_000, 50), (529_000, 6_707_000, 45),
    (583_000, 6_280_000, 45), (449_000, 6_208_000, 40), (536_000, 6_722_000, 40),
    (432_000, 6_473_000, 40), (524_000, 6_225_000, 40), (757_000, 7_530_000, 18),
)  # fmt: skip

_NATIONAL_SHARES = np.array([0.75, 0.12, 0.08, 0.05])
_RURAL_SHARES = np.array([0.92, 0.04, 0.025, 0.015])


@dataclass(frozen=True)
class SyntheticPopulation:
    """A SYNTHETIC population grid: one row per populated cell.

    Attributes
    ----------
    frame : pd.DataFrame
        Columns ``x``, ``y`` (lower-left cell corner, SWEREF 99 TM metres) and one count
        column per group; ``frame.attrs["synthetic"]`` is True and ``frame.attrs["label"]``
        says so in words.
    groups : tuple of str
    cell_size : float
    n_persons : int
    seed : int
    label : str
    """

    frame: pd.DataFrame
    groups: tuple[str, ...]
    cell_size: float
    n_persons: int
    seed: int
    label: str = SYNTHETIC_LABEL

    @property
    def n_cells(self) -> int:
        return len(self.frame)


def _inside(px: np.ndarray, py: np.ndarray, poly: np.ndarray) -> np.ndarray:
    """Even-odd ray casting, vectorised over points."""
    inside = np.zeros(px.shape, dtype=bool)
    xs, ys = poly[:, 0], poly[:, 1]
    xj, yj = np.roll(xs, 1), np.roll(ys, 1)
    for xa, ya, xb, yb in zip(xs, ys, xj, yj, strict=True):
        cond = (ya > py) != (yb > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            xcross = (xb - xa) * (py - ya) / (yb - ya) + xa
        inside ^= cond & (px < xcross)
    return inside


def _land_points(rng: np.random.Generator, n: int, north_scale: float) -> np.ndarray:
    """``n`` random points on the synthetic land, density falling as exp(-(y - y0) / scale)."""
    out: list[np.ndarray] = []
    got = 0
    x0, x1 = SWEDEN_OUTLINE[:, 0].min(), SWEDEN_OUTLINE[:, 0].max()
    y0, y1 = SWEDEN_OUTLINE[:, 1].min(), SWEDEN_OUTLINE[:, 1].max()
    while got < n:
        m = max(4 * (n - got), 1000)
        # exponential in y (truncated to the box), uniform in x, then keep those on land
        u = rng.random(m)
        span = y1 - y0
        y = y0 - north_scale * np.log1p(-u * (1 - np.exp(-span / north_scale)))
        x = rng.uniform(x0, x1, m)
        ok = _inside(x, y, SWEDEN_OUTLINE)
        pts = np.c_[x[ok], y[ok]]
        out.append(pts)
        got += len(pts)
    return np.concatenate(out)[:n]


def synthetic_sweden(
    n_persons: int = 10_000_000,
    *,
    cell_size: float = 100.0,
    seed: int = 2026,
    urban_share: float = 0.87,
    n_towns: int = 400,
) -> SyntheticPopulation:
    """Generate a SYNTHETIC Sweden-like population grid with four groups.

    Parameters
    ----------
    n_persons : int
        Persons to place (any size; 10 million is Sweden-like).
    cell_size : float
        Grid cell side in metres (100 or 250 are SCB's grids).
    seed : int
        Seed of the random generator; the same seed gives the same grid.
    urban_share : float
        Share of persons living in towns (Sweden: about 0.87 in *tätorter*).
    n_towns : int
        Number of random towns besides the 30 anchors.

    Returns
    -------
    SyntheticPopulation
        Labelled synthetic in ``label`` and ``frame.attrs``.
    """
    if n_persons < 1 or int(n_persons) != n_persons:
        raise ConfigError(
            f"`n_persons` was {n_persons!r} but is expected to be a whole number >= 1"
        )
    if not 0.0 <= urban_share <= 1.0:
        raise ConfigError(f"`urban_share` was {urban_share!r} but is expected in [0, 1]")
    if not (np.isfinite(cell_size) and cell_size > 0):
        raise ConfigError(f"`cell_size` was {cell_size!r} but is expected to be > 0")
    rng = np.random.default_rng(seed)
    n_persons = int(n_persons)
    n_urban = int(round(n_persons * urban_share))
    n_rural = n_persons - n_urban

    # --- towns ------------------------------------------------------------------------------
    anchors = np.array(_ANCHORS, dtype=float)
    extra_xy = _land_points(rng, n_towns, north_scale=350_000.0)
    extra_w = np.minimum((rng.pareto(1.1, n_towns) + 1.0) * 1.5, 35.0)  # thousands
    town_xy = np.r_[anchors[:, :2], extra_xy]
    town_w = np.r_[anchors[:, 2], extra_w]
    n_town = len(town_w)
    town_n = rng.multinomial(n_urban, town_w / town_w.sum())
    # a large town is several centres (a core and suburbs)
    xs, ys, grp = [], [], []
    patch_shares = rng.dirichlet(_NATIONAL_SHARES * 3.0, size=(n_town, 8, 6))
    for t in range(n_town):
        nt = int(town_n[t])
        if nt == 0:
            continue
        s = 5.0 * np.sqrt(nt)  # metres; Gamma(2, s) distance from a centre
        n_centres = 1 + nt // 60_000
        if n_centres > 1:
            cr = rng.gamma(2.0, 1.2 * s, n_centres)
            cr[0] = 0.0
            ca = rng.uniform(0, 2 * np.pi, n_centres)
            cx = town_xy[t, 0] + cr * np.cos(ca)
            cy = town_xy[t, 1] + cr * np.sin(ca)
            cw = rng.dirichlet(np.ones(n_centres) * 2.0)
            cw[0] += 1.0
            who = rng.choice(n_centres, size=nt, p=cw / cw.sum())
            sc = s / np.sqrt(n_centres)
        else:
            cx, cy = town_xy[t, :1], town_xy[t, 1:2]
            who = np.zeros(nt, dtype=np.int64)
            sc = s
        r = rng.gamma(2.0, sc, nt)
        a = rng.uniform(0, 2 * np.pi, nt)
        px = cx[who] + r * np.cos(a)
        py = cy[who] + r * np.sin(a)
        sector = np.floor(a / (2 * np.pi) * 8).astype(np.int64) % 8
        band = np.minimum((r / (0.8 * sc)).astype(np.int64), 5)
        cum = np.cumsum(patch_shares[t, sector, band], axis=1)
        g = (rng.random(nt)[:, None] > cum[:, :-1]).sum(axis=1)
        xs.append(px)
        ys.append(py)
        grp.append(g)

    # --- countryside ------------------------------------------------------------------------
    if n_rural:
        n_ham = max(1, n_rural // 30)
        near = int(n_ham * 0.6)
        home = rng.choice(n_town, size=near, p=town_w / town_w.sum())
        dist = rng.uniform(4_000, 30_000, near)
        ang = rng.uniform(0, 2 * np.pi, near)
        hx = np.r_[town_xy[home, 0] + dist * np.cos(ang), np.zeros(0)]
        hy = np.r_[town_xy[home, 1] + dist * np.sin(ang), np.zeros(0)]
        far = _land_points(rng, n_ham - near, north_scale=500_000.0)
        hx = np.r_[hx, far[:, 0]]
        hy = np.r_[hy, far[:, 1]]
        # farms and houses: a few persons each, scattered around the hamlet
        per_house = rng.poisson(2.3, n_rural) + 1
        house_of = np.repeat(np.arange(len(per_house)), per_house)[:n_rural]
        n_house = int(house_of[-1]) + 1
        house_ham = rng.integers(0, n_ham, n_house)
        house_x = hx[house_ham] + rng.normal(0, 400.0, n_house)
        house_y = hy[house_ham] + rng.normal(0, 400.0, n_house)
        px = house_x[house_of]
        py = house_y[house_of]
        g = (rng.random(n_rural)[:, None] > np.cumsum(_RURAL_SHARES)[:-1]).sum(axis=1)
        xs.append(px)
        ys.append(py)
        grp.append(g)

    px = np.clip(np.concatenate(xs), SWEREF99TM_X[0], SWEREF99TM_X[1] - 1)
    py = np.clip(np.concatenate(ys), SWEREF99TM_Y[0], SWEREF99TM_Y[1] - 1)
    g = np.concatenate(grp)
    cx = np.floor(px / cell_size).astype(np.int64)
    cy = np.floor(py / cell_size).astype(np.int64)
    key = (cy - cy.min()) * (cx.max() - cx.min() + 1) + (cx - cx.min())
    ukey, inv = np.unique(key, return_inverse=True)
    counts = np.zeros((len(ukey), 4), dtype=np.int64)
    for j in range(4):
        counts[:, j] = np.bincount(inv[g == j], minlength=len(ukey))
    w = cx.max() - cx.min() + 1
    frame = pd.DataFrame(
        {
            "x": ((ukey % w) + cx.min()) * cell_size,
            "y": ((ukey // w) + cy.min()) * cell_size,
            "g0": counts[:, 0],
            "g1": counts[:, 1],
            "g2": counts[:, 2],
            "g3": counts[:, 3],
        }
    )
    frame.attrs["synthetic"] = True
    frame.attrs["label"] = SYNTHETIC_LABEL
    return SyntheticPopulation(
        frame=frame,
        groups=("g0", "g1", "g2", "g3"),
        cell_size=float(cell_size),
        n_persons=n_persons,
        seed=seed,
    )

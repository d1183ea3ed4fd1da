"""SIMULATED Sweden-like small areas for benchmarks and examples - not real data.

:func:`synthetic_sweden` places ``n_areas`` areas in SWEREF 99 TM (EPSG:3006): most of them
clustered around 20 real town centres (weights roughly proportional to their population),
the rest spread over a rough diagonal band covering the country. Each area has a
population and two groups ("foreign" / "swedish" background) whose share varies with a few
high-share neighbourhoods per town, so that segregation exists at several scales. Every
output carries ``attrs["synthetic"] = True``; anything shown from it must be labelled
simulated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grannskap.errors import InputError, Problem

__all__ = ["TOWNS", "synthetic_sweden"]

# (name, x, y in EPSG:3006 metres, weight ~ population in 1,000s)
TOWNS: tuple[tuple[str, float, float, float], ...] = (
    ("Stockholm", 674_000, 6_580_000, 1600),
    ("Göteborg", 319_000, 6_400_000, 600),
    ("Malmö", 374_000, 6_164_000, 350),
    ("Uppsala", 648_000, 6_640_000, 180),
    ("Västerås", 587_000, 6_613_000, 130),
    ("Örebro", 514_000, 6_572_000, 125),
    ("Linköping", 536_000, 6_477_000, 115),
    ("Helsingborg", 361_000, 6_212_000, 115),
    ("Norrköping", 568_000, 6_496_000, 100),
    ("Jönköping", 448_000, 6_406_000, 100),
    ("Umeå", 758_000, 7_088_000, 90),
    ("Lund", 387_000, 6_175_000, 90),
    ("Borås", 376_000, 6_399_000, 75),
    ("Gävle", 616_000, 6_729_000, 75),
    ("Sundsvall", 617_000, 6_920_000, 60),
    ("Karlstad", 412_000, 6_586_000, 65),
    ("Växjö", 478_000, 6_305_000, 65),
    ("Halmstad", 370_000, 6_280_000, 65),
    ("Luleå", 834_000, 7_287_000, 50),
    ("Östersund", 472_000, 7_007_000, 40),
)


def synthetic_sweden(
    n_areas: int = 6000,
    *,
    seed: int = 0,
    total_population: float = 10_500_000,
    urban_share: float = 0.85,
) -> pd.DataFrame:
    """SIMULATED areas with coordinates and foreign / Swedish background counts.

    Parameters
    ----------
    n_areas
        Number of areas (6,000 is DeSO-like; 50,000 for the national-scale benchmark).
    seed
        Random seed; the same seed gives the same data.
    total_population
        Persons over all areas (Sweden ~10.5 million).
    urban_share
        Share of areas placed around the towns; the rest are rural.

    Returns
    -------
    DataFrame indexed by a synthetic area code with columns ``x``, ``y`` (EPSG:3006),
    ``town`` (nearest town centre or ``"rural"``), ``foreign``, ``swedish``, ``total``.
    """
    if n_areas < 2:
        raise InputError(Problem("n_areas", "too few areas", value=n_areas, expected=">= 2"))
    rng = np.random.default_rng(seed)
    names = np.array([t[0] for t in TOWNS])
    centres = np.array([[t[1], t[2]] for t in TOWNS], dtype=float)
    weights = np.array([t[3] for t in TOWNS], dtype=float)
    n_urban = int(round(n_areas * urban_share))
    n_rural = n_areas - n_urban
    town = rng.choice(len(TOWNS), size=n_urban, p=weights / weights.sum())
    # town radius grows with size: Stockholm sd ~12 km, small towns ~3 km
    sd = 1_500.0 * np.sqrt(weights / 25.0)
    xy_urban = centres[town] + rng.standard_normal((n_urban, 2)) * sd[town, None]
    y_rural = rng.uniform(6_150_000, 7_550_000, n_rural)
    x_mid = 330_000 + (y_rural - 6_150_000) * 0.33
    x_rural = x_mid + rng.uniform(-160_000, 160_000, n_rural)
    xy = np.vstack([xy_urban, np.column_stack([x_rural, y_rural])])
    xy[:, 0] = np.clip(xy[:, 0], 210_000, 990_000)
    xy[:, 1] = np.clip(xy[:, 1], 6_110_000, 7_690_000)
    labels = np.concatenate([names[town], np.full(n_rural, "rural")])

    # urban areas are smaller in population where they are dense (like DeSO: 700-2,700)
    pop = rng.lognormal(mean=0.0, sigma=0.35, size=n_areas)
    pop = np.maximum(1, np.round(pop / pop.sum() * total_population)).astype(np.int64)

    # foreign-background share: higher in bigger towns, much higher in a few hotspots
    logit = np.full(n_areas, -2.2)
    logit[:n_urban] += 0.25 * np.log(weights[town] / 50.0)
    for k, (cx, cy) in enumerate(centres):
        n_hot = 1 + int(weights[k] // 150)
        hot = np.array([cx, cy]) + rng.standard_normal((n_hot, 2)) * sd[k] * 0.8
        for hx, hy in hot:
            d2 = (xy[:, 0] - hx) ** 2 + (xy[:, 1] - hy) ** 2
            logit += 2.6 * np.exp(-d2 / (2.0 * (0.25 * sd[k]) ** 2))
    logit += rng.normal(0.0, 0.45, n_areas)
    share = 1.0 / (1.0 + np.exp(-logit))
    foreign = rng.binomial(pop, share)
    frame = pd.DataFrame(
        {
            "x": xy[:, 0],
            "y": xy[:, 1],
            "town": labels,
            "foreign": foreign,
            "swedish": pop - foreign,
            "total": pop,
        },
        index=pd.Index([f"SYN{i:06d}" for i in range(n_areas)], name="area"),
    )
    frame.attrs["synthetic"] = True
    frame.attrs["note"] = (
        "SIMULATED data from grannskap.measures.segregation.synthetic; not real statistics"
    )
    return frame

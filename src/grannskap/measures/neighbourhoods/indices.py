"""Segregation indices over individuals' k-nearest-person neighbourhoods, per scale k.

Each resident of origin cell ``i`` is given the composition of their individualised
neighbourhood of size k, ``s_ikg = c_ikg / n_ik`` (persons of group g over persons in the
neighbourhood). Classic indices are then computed with those neighbourhoods as the units,
weighted by the residents who experience them -- the multiscalar approach of Östh, Clark &
Malmberg (2015), where the profile over k shows at which scale segregation lives.

Notation: ``m_ig`` residents of group g in cell i, ``t_i = sum_g m_ig``, ``M_g = sum_i m_ig``,
``T = sum_g M_g``, ``S_g = M_g / T``.

* Dissimilarity of g against all others (share form of Duncan & Duncan 1955)::

      D_kg = sum_i t_i |s_ikg - S_g| / (2 T S_g (1 - S_g))

* Isolation of g (Bell 1954; Lieberson's xPx*)::

      I_kg = sum_i (m_ig / M_g) s_ikg

* Exposure of g to h (Lieberson's xPy*)::

      E_kgh = sum_i (m_ig / M_g) s_ikh

* Multigroup information theory index (Theil 1972), entropy ``E = -sum_g S_g ln S_g``::

      H_k = sum_i t_i (E - E_ik) / (T E),   E_ik = -sum_g s_ikg ln s_ikg

When every neighbourhood is the origin cell alone these are the ordinary indices over cells
(the tests check that against PySAL ``segregation``). Cells whose neighbourhood is empty
(no population within ``max_distance``) carry no residents and are left out.

Reference: Östh, J., Clark, W. A. V. & Malmberg, B. (2015). Measuring the scale of segregation
using k-nearest neighbor aggregates. *Geographical Analysis* 47(1), 34-49.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from grannskap.errors import EstimationError
from grannskap.measures.neighbourhoods.knn import Neighbourhoods

__all__ = [
    "NeighbourhoodIndices",
    "neighbourhood_indices",
    "dissimilarity",
    "isolation",
    "exposure",
    "information_theory",
]


def _weights_and_shares(nb: Neighbourhoods) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Residents per cell and group ``m`` (n, G), shares ``s`` (n, K, G) with NaN -> 0."""
    m = nb.local.astype(float)
    if m.sum() <= 0:
        raise EstimationError("the population grid holds nobody: no index can be computed")
    s = nb.shares()
    empty = ~np.isfinite(s).all(axis=2)  # (n, K): neighbourhood with nobody in it
    s = np.where(np.isfinite(s), s, 0.0)
    return m, s, empty


def dissimilarity(nb: Neighbourhoods) -> np.ndarray:
    """``(K, G)`` dissimilarity of each group against all others, per k (see module doc)."""
    m, s, empty = _weights_and_shares(nb)
    t = m.sum(axis=1)
    tk = np.where(empty, 0.0, t[:, None])  # (n, K)
    T = tk.sum(axis=0)  # (K,)
    M = np.einsum("nk,ng->kg", np.where(empty, 0.0, 1.0), m)  # residents counted, per k
    S = M / T[:, None]
    dev = np.abs(s - S[None, :, :]) * tk[:, :, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return dev.sum(axis=0) / (2.0 * T[:, None] * S * (1.0 - S))


def isolation(nb: Neighbourhoods) -> np.ndarray:
    """``(K, G)`` isolation: the average share of their own group in group members'
    neighbourhoods (see module doc)."""
    return np.einsum("kgg->kg", exposure(nb))


def exposure(nb: Neighbourhoods) -> np.ndarray:
    """``(K, G, G)``: ``[k, g, h]`` is the average share of group h in the neighbourhoods of
    the members of group g (see module doc)."""
    m, s, empty = _weights_and_shares(nb)
    w = np.where(empty[:, :, None], 0.0, m[:, None, :])  # (n, K, G)
    Mg = w.sum(axis=0)  # (K, G)
    num = np.einsum("nkg,nkh->kgh", w, s)
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / Mg[:, :, None]


def information_theory(nb: Neighbourhoods) -> np.ndarray:
    """``(K,)`` Theil's multigroup information theory index H per k (see module doc)."""
    m, s, empty = _weights_and_shares(nb)
    t = m.sum(axis=1)
    tk = np.where(empty, 0.0, t[:, None])
    T = tk.sum(axis=0)
    M = np.einsum("nk,ng->kg", np.where(empty, 0.0, 1.0), m)
    S = M / T[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        E = -np.sum(np.where(S > 0, S * np.log(S), 0.0), axis=1)  # (K,)
        Ei = -np.sum(np.where(s > 0, s * np.log(s), 0.0), axis=2)  # (n, K)
        return (tk * (E[None, :] - Ei)).sum(axis=0) / (T * E)


@dataclass(frozen=True)
class NeighbourhoodIndices:
    """Segregation indices per neighbourhood size k (a multiscalar profile).

    Attributes
    ----------
    k : np.ndarray
        ``(K,)`` neighbourhood sizes.
    groups : tuple of str
    dissimilarity : np.ndarray
        ``(K, G)`` D of each group against the rest.
    isolation : np.ndarray
        ``(K, G)`` xPx*.
    exposure : np.ndarray
        ``(K, G, G)`` xPy*.
    information_theory : np.ndarray
        ``(K,)`` multigroup H.
    """

    k: np.ndarray
    groups: tuple[str, ...]
    dissimilarity: np.ndarray
    isolation: np.ndarray
    exposure: np.ndarray
    information_theory: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """One row per k: ``D_<g>``, ``isolation_<g>``, ``H``."""
        cols: dict[str, np.ndarray] = {}
        for g, name in enumerate(self.groups):
            cols[f"D_{name}"] = self.dissimilarity[:, g]
        for g, name in enumerate(self.groups):
            cols[f"isolation_{name}"] = self.isolation[:, g]
        cols["H"] = self.information_theory
        return pd.DataFrame(cols, index=pd.Index(self.k, name="k"))


def neighbourhood_indices(nb: Neighbourhoods) -> NeighbourhoodIndices:
    """All indices of this module for every k of ``nb`` (a multiscalar profile)."""
    ex = exposure(nb)
    return NeighbourhoodIndices(
        k=nb.k,
        groups=nb.groups,
        dissimilarity=dissimilarity(nb),
        isolation=np.einsum("kgg->kg", ex),
        exposure=ex,
        information_theory=information_theory(nb),
    )

"""Two-period panel DiD estimators with their influence functions.

Doubly robust DiD (Sant'Anna & Zhao 2020, *J. Econometrics* 219:101-122, eq. 3.1, the
"traditional" locally efficient estimator), outcome regression DiD (Heckman, Ichimura & Todd
1997) and standardised (Hajek) inverse probability weighting DiD (Abadie 2005). Each takes the
change in outcome ``dy``, the treatment indicator ``d``, a covariate matrix ``x`` whose first
column is the intercept, and unit weights; each returns the ATT and its influence function, as
R's ``DRDID`` package (``drdid_panel``, ``reg_did_panel``, ``std_ipw_did_panel``) does, plus
overlap diagnostics (largest propensity score among comparison units, units trimmed).
"""

from __future__ import annotations

import numpy as np

from grannskap.errors import EstimationError

__all__ = ["logit_fit", "dr_did", "reg_did", "ipw_did", "ESTIMATORS", "Overlap"]

# largest propensity among comparison units, comparison units trimmed (ps >= 0.995),
# share of treated units with propensity above 0.99 (no comparable comparison unit)
Overlap = tuple[float, int, float]


def logit_fit(
    x: np.ndarray, d: np.ndarray, w: np.ndarray, *, tol: float = 1e-12, max_iter: int = 100
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted logistic regression by Newton-Raphson (as R's ``glm(family=binomial)``).

    Returns the fitted probabilities, the coefficients and ``inv(X' W X)`` (the model's
    covariance matrix).
    """
    beta = np.zeros(x.shape[1])
    for _ in range(max_iter):
        eta = x @ beta
        p = 1.0 / (1.0 + np.exp(-eta))
        wp = w * p * (1 - p)
        hess = (x * wp[:, None]).T @ x
        grad = x.T @ (w * (d - p))
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError as exc:
            raise EstimationError(
                "propensity score model is singular (covariates perfectly predict treatment); "
                "expected overlap between treated and comparison units"
            ) from exc
        beta = beta + step
        if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta))):
            break
    eta = x @ beta
    p = 1.0 / (1.0 + np.exp(-eta))
    hess = (x * (w * p * (1 - p))[:, None]).T @ x
    return p, beta, np.linalg.inv(hess)


def _ols_control(
    dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Outcome regression of ``dy`` on ``x`` among controls; returns fit and its IF."""
    n = len(dy)
    wc = w * (1 - d)
    xtx = (x * wc[:, None]).T @ x
    try:
        coef = np.linalg.solve(xtx, (x * wc[:, None]).T @ dy)
    except np.linalg.LinAlgError as exc:
        raise EstimationError(
            "outcome regression among comparison units is singular; expected covariates that "
            "vary among comparison units"
        ) from exc
    fit = x @ coef
    xpx_inv = np.linalg.inv(xtx / n)
    lin_rep = (wc * (dy - fit))[:, None] * x @ xpx_inv
    return fit, lin_rep


def _trim(ps: np.ndarray, d: np.ndarray, level: float = 0.995) -> np.ndarray:
    keep = ps < 1.01
    keep[d == 0] = ps[d == 0] < level
    return keep.astype(float)


def _ps(x: np.ndarray, d: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(d)
    ps, _, cov = logit_fit(x, d, w)
    ps = np.minimum(ps, 1 - 1e-6)
    score = (w * (d - ps))[:, None] * x
    return ps, score @ (cov * n)


def dr_did(
    dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray
) -> tuple[float, np.ndarray, Overlap]:
    """Doubly robust DiD for panel data (Sant'Anna & Zhao 2020, traditional DR estimator)."""
    ps, lin_ps = _ps(x, d, w)
    trim = _trim(ps, d)
    fit, lin_ols = _ols_control(dy, d, x, w)
    w_t = trim * w * d
    w_c = trim * w * ps * (1 - d) / (1 - ps)
    resid = dy - fit
    att_t = w_t * resid
    att_c = w_c * resid
    eta_t = att_t.mean() / w_t.mean()
    eta_c = att_c.mean() / w_c.mean()
    inf_t1 = att_t - w_t * eta_t
    inf_t2 = lin_ols @ (w_t[:, None] * x).mean(axis=0)
    inf_t = (inf_t1 - inf_t2) / w_t.mean()
    inf_c1 = att_c - w_c * eta_c
    inf_c2 = lin_ps @ (w_c[:, None] * (resid - eta_c)[:, None] * x).mean(axis=0)
    inf_c3 = lin_ols @ (w_c[:, None] * x).mean(axis=0)
    inf_c = (inf_c1 + inf_c2 - inf_c3) / w_c.mean()
    return float(eta_t - eta_c), inf_t - inf_c, _overlap(ps, d, trim)


def reg_did(
    dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray
) -> tuple[float, np.ndarray, Overlap]:
    """Outcome-regression DiD for panel data (Heckman, Ichimura & Todd 1997)."""
    fit, lin_ols = _ols_control(dy, d, x, w)
    w_t = w * d
    att_t = w_t * dy
    att_c = w_t * fit
    eta_t = att_t.mean() / w_t.mean()
    eta_c = att_c.mean() / w_t.mean()
    inf_t = (att_t - w_t * eta_t) / w_t.mean()
    inf_c1 = att_c - w_t * eta_c
    inf_c2 = lin_ols @ (w_t[:, None] * x).mean(axis=0)
    inf_c = (inf_c1 + inf_c2) / w_t.mean()
    return float(eta_t - eta_c), inf_t - inf_c, (float("nan"), 0, float("nan"))


def ipw_did(
    dy: np.ndarray, d: np.ndarray, x: np.ndarray, w: np.ndarray
) -> tuple[float, np.ndarray, Overlap]:
    """Standardised inverse-probability-weighted DiD for panel data (Abadie 2005)."""
    ps, lin_ps = _ps(x, d, w)
    trim = _trim(ps, d)
    w_t = trim * w * d
    w_c = trim * w * ps * (1 - d) / (1 - ps)
    att_t = w_t * dy
    att_c = w_c * dy
    eta_t = att_t.mean() / w_t.mean()
    eta_c = att_c.mean() / w_c.mean()
    inf_t = (att_t - w_t * eta_t) / w_t.mean()
    inf_c1 = att_c - w_c * eta_c
    inf_c2 = lin_ps @ (w_c[:, None] * (dy - eta_c)[:, None] * x).mean(axis=0)
    inf_c = (inf_c1 + inf_c2) / w_c.mean()
    return float(eta_t - eta_c), inf_t - inf_c, _overlap(ps, d, trim)


def _overlap(ps: np.ndarray, d: np.ndarray, trim: np.ndarray) -> Overlap:
    ctrl = d == 0
    return (
        float(ps[ctrl].max()),
        int((trim[ctrl] == 0).sum()),
        float(np.mean(ps[~ctrl] > 0.99)),
    )


ESTIMATORS = {"dr": dr_did, "reg": reg_did, "ipw": ipw_did}

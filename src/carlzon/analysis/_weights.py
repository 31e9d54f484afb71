"""Numeric core of key-driver analysis: bootstrap moments, relative weights, Shapley values.

Everything here works on plain numpy arrays and, where it matters, on a
batch of bootstrap resamples at once:

* :func:`bootstrap_counts` draws resamples as count vectors (how often each
  row is drawn), a chunk at a time, so that moments of every resample are one
  matrix product (float32 on centred data: exact counts, ~1e-6 relative error).
* :func:`distinct_rows`, :func:`poisson_weights` and :func:`weighted_sums` are the
  bootstrap of a continuous outcome that one machine and Spark share, draw for draw:
  each distinct row's weight in resample b is Poisson(m) (m = how often the row
  occurs; a sum of m Poisson(1) draws) from a counter-based hash of the row's values,
  b and the seed, so it depends on nothing but the row; the resample's sums are exact
  integers (values in units of 1/10,000), so partitions add up to the same numbers.
* :func:`pairwise_corr` gives the pairwise-complete correlation matrix of
  each resample (a missing value removes that row only from the pairs it is in).
* :func:`exact_sums` and :func:`corr_from_exact` give the point estimate's
  pairwise-complete correlations from exact integer sums (values in units of
  1/10,000, :mod:`carlzon.analysis.sums`): the same matrix whatever the order or
  the split of the rows, so that Spark and one machine agree bit for bit.
* :func:`relative_weights` is Johnson's (2000) relative weights for a stack of
  correlation matrices (batched eigen-decomposition).
* :func:`shapley_values` turns the value of every subset of drivers (R2 or
  a pseudo-R2) into Shapley values (exact).

Example:
    >>> import numpy as np
    >>> R = np.array([[1, .5, .6], [.5, 1, .3], [.6, .3, 1]])
    >>> w = relative_weights(R)
    >>> round(float(w.sum()), 4), round(float(r2_from_corr(R)), 4)
    (0.36, 0.36)
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

__all__ = [
    "abs_max",
    "add_sums",
    "bootstrap_counts",
    "check_exact_range",
    "corr_from_exact",
    "corr_from_sums",
    "distinct_rows",
    "exact_means",
    "exact_sums",
    "logistic_fit",
    "pairwise_corr",
    "poisson_weights",
    "r2_from_corr",
    "resample_sums",
    "relative_weights",
    "relative_weights_from_coefs",
    "shapley_values",
    "subset_values_from_corr",
    "sym_sqrt",
    "weighted_sums",
]

_EIG_FLOOR = 1e-10


def bootstrap_counts(n: int, n_boot: int, rng: np.random.Generator, *, chunk: int = 50) -> Iterator[np.ndarray]:
    """Yield (c, n) float32 arrays: how many times each row is drawn in each resample."""
    done = 0
    while done < n_boot:
        c = min(chunk, n_boot - done)
        idx = rng.integers(0, n, size=(c, n), dtype=np.int64 if c * n >= 2**31 else np.int32)
        idx += (np.arange(c, dtype=idx.dtype) * n)[:, None]
        yield np.bincount(idx.ravel(), minlength=c * n).reshape(c, n).astype(np.float32)
        done += c


def pairwise_corr(W: np.ndarray, X: np.ndarray, observed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise-complete correlation matrices and standard deviations of each weighted resample.

    ``W`` is (B, n) weights, ``X`` (n, q) data (NaN where missing), ``observed``
    its (n, q) mask (computed when None). Returns (B, q, q) correlations and
    (B, q) standard deviations (over all rows where each column is observed).
    """
    W = np.atleast_2d(np.asarray(W, dtype=np.float32))
    obs = ~np.isnan(X) if observed is None else observed
    centre = np.array([np.nanmean(X[:, j]) if obs[:, j].any() else 0.0 for j in range(X.shape[1])])
    Xc = np.where(obs, X - centre, 0.0)
    q = X.shape[1]
    full = obs.all(axis=1)
    B = W.shape[0]
    N = np.zeros((B, q, q))
    S = np.zeros((B, q, q))  # S[j, k]: sum of x_j over rows where j and k are observed
    Q = np.zeros((B, q, q))  # Q[j, k]: sum of x_j**2 over the same rows
    C = np.zeros((B, q, q))
    if full.any():
        Xf = Xc[full].astype(np.float32)
        iu, ju = np.triu_indices(q)
        block = W[:, full] @ np.column_stack([np.ones(len(Xf), np.float32), Xf, Xf[:, iu] * Xf[:, ju]])
        block = block.astype(np.float64)
        cross = np.zeros((B, q, q))
        cross[:, iu, ju] = block[:, 1 + q :]
        cross[:, ju, iu] = block[:, 1 + q :]
        N += block[:, :1, None]
        S += block[:, 1 : 1 + q, None]
        Q += np.diagonal(cross, axis1=1, axis2=2)[:, :, None]
        C += cross
    part = ~full
    if part.any():
        Xp = Xc[part].astype(np.float32)
        Mp = obs[part].astype(np.float32)
        Wp = W[:, part]
        m = len(Xp)
        pair = (Mp[:, :, None] * Mp[:, None, :]).reshape(m, q * q)
        sx = (Xp[:, :, None] * Mp[:, None, :]).reshape(m, q * q)
        sq = ((Xp * Xp)[:, :, None] * Mp[:, None, :]).reshape(m, q * q)
        cx = (Xp[:, :, None] * Xp[:, None, :]).reshape(m, q * q)
        block = (Wp @ np.column_stack([pair, sx, sq, cx])).astype(np.float64)
        N += block[:, : q * q].reshape(B, q, q)
        S += block[:, q * q : 2 * q * q].reshape(B, q, q)
        Q += block[:, 2 * q * q : 3 * q * q].reshape(B, q, q)
        C += block[:, 3 * q * q :].reshape(B, q, q)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_jk = S / N
        var_jk = Q / N - mean_jk**2
        cov = C / N - mean_jk * np.swapaxes(mean_jk, 1, 2)
        corr = cov / np.sqrt(var_jk * np.swapaxes(var_jk, 1, 2))
        diag = np.diagonal(var_jk, axis1=1, axis2=2)
        sd = np.sqrt(
            np.clip(diag, 0, None)
            * np.diagonal(N, axis1=1, axis2=2)
            / np.maximum(np.diagonal(N, axis1=1, axis2=2) - 1, 1)
        )
    idx = np.arange(q)
    corr[:, idx, idx] = 1.0
    return np.clip(corr, -1.0, 1.0), sd


_EXACT = float(2**53)  # integers below this are exact in float64, and so are sums of them below it
_INT64_ROOM = float(2**62)  # int64 sums are kept below this (half of int64's range); beyond, Python integers
_MAX_SQUARE = _EXACT / 4  # a value's square in units below this, times a weight up to 2, is an exact float64 integer
MAX_EXACT_VALUE = math.floor(math.sqrt(_MAX_SQUARE)) / 10_000  # 4,745.3: the largest |value| the bootstrap sums exactly

# --------------------------------------------------------------------------- shared bootstrap
_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mix64(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a well-mixed 64-bit hash of each uint64 (wraps modulo 2**64)."""
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def row_keys(D: np.ndarray) -> np.ndarray:
    """A 64-bit key of each row from its values alone (NaN and -0.0 read as one value each).

    >>> k = row_keys(np.array([[1.0, np.nan], [1.0, np.nan], [-0.0, 2.0], [0.0, 2.0]]))
    >>> bool(k[0] == k[1]), bool(k[2] == k[3]), bool(k[0] == k[2])
    (True, True, False)
    """
    D = np.asarray(D, dtype=np.float64)
    bits = np.where(np.isnan(D), np.nan, D + 0.0).view(np.uint64)  # + 0.0 turns -0.0 into 0.0
    h = np.full(len(D), np.uint64(0x9E3779B97F4A7C15), dtype=np.uint64)
    for j in range(D.shape[1]):
        with np.errstate(over="ignore"):
            h = _mix64(h ^ bits[:, j] ^ np.uint64(j + 1) * np.uint64(0x632BE59BD9B4E019))
    return h


def distinct_rows(D: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``D`` (NaN equal to NaN) and how often each occurs, complete rows first.

    >>> Dg, m = distinct_rows(np.array([[1.0, np.nan], [2.0, 3.0], [1.0, np.nan]]))
    >>> Dg.shape, sorted(m.tolist())
    ((2, 2), [1, 2])
    """
    import pandas as pd

    D = np.asarray(D, dtype=np.float64)
    if not len(D):
        return D.reshape(0, D.shape[1]), np.zeros(0, dtype=np.int64)
    g = pd.DataFrame(D + 0.0).groupby(list(range(D.shape[1])), dropna=False, sort=False).size()
    Dg = np.array(g.index.tolist(), dtype=np.float64).reshape(len(g), D.shape[1])
    # complete rows first, so that weighted_sums multiplies contiguous blocks (its sums are exact in any order)
    order = np.argsort(np.isnan(Dg).any(axis=1), kind="stable")
    return Dg[order], g.to_numpy(dtype=np.int64)[order]


def _poisson_cdf(m: int) -> np.ndarray:
    """P(K <= k) of Poisson(m) for k = 0, 1, ... until 1 - 1e-16 (plain float64 arithmetic, the same everywhere)."""
    p = math.exp(-m) if m < 700 else 0.0
    out, k, total = [], 0, 0.0
    if p == 0.0:  # a large m: start at the mode, in logs
        k0 = max(0, int(m - 12 * math.sqrt(m)))
        out = [0.0] * k0
        k = k0
        p = math.exp(k0 * math.log(m) - m - math.lgamma(k0 + 1))
    while True:
        total += p
        out.append(min(total, 1.0))
        k += 1
        p = p * m / k
        if total >= 1 - 1e-16 or (k > m and p < 1e-300):
            return np.asarray(out)


def poisson_weights(
    keys: np.ndarray, m: np.ndarray, start: int, count: int, seed: int, *, out: np.ndarray | None = None
) -> np.ndarray:
    """(count, len(keys)) weights of the distinct rows in resamples start .. start + count - 1:
    row i's weight is a Poisson(m[i]) draw from a hash of (keys[i], resample, seed), so it depends
    on nothing else: not on the other rows, their order, how they are split, or the chunking.

    >>> keys, once = np.arange(20_000, dtype=np.uint64), np.ones(20_000, dtype=np.int64)
    >>> w = poisson_weights(keys, once, 0, 2, seed=7)
    >>> w.shape, round(float(w.mean()), 1), bool((w[1] == poisson_weights(keys, once, 1, 1, seed=7)[0]).all())
    ((2, 20000), 1.0, True)
    """
    keys = np.asarray(keys, dtype=np.uint64)
    m = np.asarray(m, dtype=np.int64)
    # ``out``: a (>= count, n) buffer to fill (reused across chunks: fresh memory costs page faults)
    out = np.empty((count, len(keys))) if out is None else out[:count]
    base = _mix64(np.array([int(seed) & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0]
    groups = [(int(v), np.flatnonzero(m == v)) for v in np.unique(m)]
    # P(K <= k) as thresholds on 53-bit integers: the draw is the number of thresholds at or below x
    tables = {v: (_poisson_cdf(v) * 2.0**53).astype(np.uint64) for v, _ in groups}
    for r in range(count):
        with np.errstate(over="ignore"):
            salt = _mix64(np.array([base ^ np.uint64(start + r) * np.uint64(0xD1B54A32D192ED03)], dtype=np.uint64))[0]
        x = _mix64(keys ^ salt) >> np.uint64(11)
        for v, idx in groups:
            if len(groups) == 1:
                out[r] = _draws(tables[v], x)
            else:
                out[r, idx] = _draws(tables[v], x[idx])
    return out


def _draws(T: np.ndarray, x: np.ndarray) -> np.ndarray:
    """How many thresholds ``T`` (ascending) are at or below each ``x``: a few comparisons for the
    common small draws, a binary search for the rest."""
    head = min(len(T), int(np.searchsorted(T, np.uint64(0.98 * 2**53))) + 1)
    if T[0] < np.uint64(0.2 * 2**53):  # a large m: no small draws to count
        return np.searchsorted(T, x, side="right").astype(np.float64)
    k = (x >= T[0]).astype(np.int16)
    for t in T[1:head]:
        k += x >= t
    tail = np.flatnonzero(x >= T[head - 1])
    if len(tail):
        k[tail] = np.searchsorted(T, x[tail], side="right")
    return k.astype(np.float64)


def weighted_sums(D: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(B, 4, q, q) exact sums N, S, Q, C (as :func:`exact_sums`) of the rows of ``D`` under each row of
    ``weights`` (B, n; whole numbers), as int64; values in units of 1/10,000. Sums of parts add up.
    Sums that could leave int64's room (a 0-100 score over millions of rows) come as Python integers
    (object dtype); a single product beyond float64's exact integers raises AnalysisError
    (:func:`check_exact_range` names the column first).

    >>> D = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 5.0]])
    >>> bool((weighted_sums(D, np.ones((1, 3)))[0] == np.array(exact_sums(D), dtype=np.int64)).all())
    True
    """
    from carlzon.analysis.sums import units

    D = np.asarray(D, dtype=np.float64)
    weights = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    n, q = D.shape
    B = weights.shape[0]
    out = np.zeros((B, 4, q, q), dtype=np.int64)
    if not n:
        return out
    obs = ~np.isnan(D)
    U = np.where(obs, units(np.where(obs, D, 0.0)), 0).astype(np.float64)
    full = obs.all(axis=1)
    u2 = max(float(np.abs(U).max()) ** 2, 1.0)
    if u2 >= _MAX_SQUARE:
        check_exact_range(abs_max(D), [f"column {j}" for j in range(q)])
    top = u2 * max(float(weights.max()), 1.0)
    if top >= _EXACT:  # heavy weights (rows seen thousands of times): sums over k-bit parts of the weights
        return _limb_sums(D, weights, int(math.log2(_EXACT / u2)) - 1)
    step = max(1, int(_EXACT // top))  # rows per block: every partial sum an exact integer
    big = None  # Python integers, once the int64 sums could outgrow their room
    used = 0.0  # a bound on any |sum| in out: rows added times top
    nf = int(full.sum())
    parts: list[tuple[slice | np.ndarray, bool]]
    if full[:nf].all():  # complete rows first, as distinct_rows orders them: slices, no copies
        parts = [(np.s_[:nf], True), (np.s_[nf:], False)]
    else:
        parts = [(np.flatnonzero(full), True), (np.flatnonzero(~full), False)]
    for rows, complete in parts:
        Ur, Wr, Mr = U[rows], weights[:, rows], obs[rows].astype(np.float64)
        for a in range(0, len(Ur), step):
            u, w = Ur[a : a + step], Wr[:, a : a + step]
            if used + len(u) * top >= _INT64_ROOM:
                big = out.astype(object) if big is None else big + out
                out[:] = 0
                used = 0.0
            used += len(u) * top
            if complete:
                out += _complete_sums(u, w)
            else:
                m, k = Mr[a : a + step], len(u)
                feats = np.column_stack(
                    [
                        (m[:, :, None] * m[:, None, :]).reshape(k, q * q),
                        (u[:, :, None] * m[:, None, :]).reshape(k, q * q),
                        ((u * u)[:, :, None] * m[:, None, :]).reshape(k, q * q),
                        (u[:, :, None] * u[:, None, :]).reshape(k, q * q),
                    ]
                )
                out += np.rint(w @ feats).astype(np.int64).reshape(B, 4, q, q)
    return out if big is None else big + out


def add_sums(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a + b`` of two arrays of exact sums, int64 while it fits (checked), Python integers beyond.

    >>> big = np.array([2**62], dtype=np.int64)
    >>> add_sums(big, big).tolist(), add_sums(np.array([1]), np.array([2])).dtype
    ([9223372036854775808], dtype('int64'))
    """
    if a.dtype == object or b.dtype == object:
        return a.astype(object) + b.astype(object)
    out = a + b  # wraps on overflow: seen as a sign neither input had
    if ((a ^ out) & (b ^ out) < 0).any():
        return a.astype(object) + b.astype(object)
    return out


def _limb_sums(D: np.ndarray, weights: np.ndarray, bits: int) -> np.ndarray:
    """weighted_sums as the sum over the weights' ``bits``-bit parts, each part's sums times its place
    (``w = sum_l w_l * 2 ** (bits * l)``), in Python integers: exact however large the weights."""
    base = 2.0**bits
    rest, place, total = weights, 1, None
    while rest.any():
        part = weighted_sums(D, np.mod(rest, base)).astype(object) * place
        total = part if total is None else total + part
        rest, place = np.floor(rest / base), place << bits
    if total is None:  # all weights zero
        total = weighted_sums(D, rest).astype(object)
    return total


def _complete_sums(u: np.ndarray, w: np.ndarray) -> np.ndarray:
    """weighted_sums of rows without a missing value: one matrix product over 1 + q + q(q+1)/2 columns
    (the squares are the diagonal of the cross-products)."""
    q, B = u.shape[1], w.shape[0]
    iu, ju = np.triu_indices(q)
    block = np.rint(w @ np.column_stack([np.ones(len(u)), u, u[:, iu] * u[:, ju]])).astype(np.int64)
    out = np.zeros((B, 4, q, q), dtype=np.int64)
    cross = out[:, 3]
    cross[:, iu, ju] = block[:, 1 + q :]
    cross[:, ju, iu] = block[:, 1 + q :]
    out[:, 0] = block[:, 0][:, None, None]
    out[:, 1] = block[:, 1 : 1 + q][:, :, None]
    out[:, 2] = np.diagonal(cross, axis1=1, axis2=2)[:, :, None]
    return out


def abs_max(D: np.ndarray) -> np.ndarray:
    """Each column's largest absolute value (missing values left out; 0 for a column without any).

    >>> abs_max(np.array([[4.0, -7.0], [np.nan, 2.0]])).tolist()
    [4.0, 7.0]
    """
    D = np.asarray(D, dtype=np.float64)
    return np.abs(np.where(np.isnan(D), 0.0, D)).max(axis=0, initial=0.0)


def check_exact_range(top: np.ndarray, names: list[str]) -> None:
    """AnalysisError naming the first column whose largest absolute value (``top``, :func:`abs_max`) is too
    large for the bootstrap's exact sums: :data:`MAX_EXACT_VALUE` (4,745) or more. Any rating scale is far
    inside; a revenue is not.

    >>> check_exact_range(np.array([5.0, 100.0]), ["seat", "score"])
    >>> check_exact_range(np.array([5.0, 125000.0]), ["seat", "spend"])
    Traceback (most recent call last):
    ...
    carlzon.errors.AnalysisError: column 'spend' reaches 125,000: too large for exact sums (at most 4,745) ...
    """
    from carlzon.analysis.sums import units
    from carlzon.errors import AnalysisError

    u = units(np.asarray(top, dtype=np.float64)).astype(np.float64)  # the same test as weighted_sums', in units
    bad = np.flatnonzero(u * u >= _MAX_SQUARE)
    if len(bad):
        j = int(bad[0])
        raise AnalysisError(
            f"column {names[j]!r} reaches {float(top[j]):,.6g}: too large for exact sums (at most {MAX_EXACT_VALUE:,.0f})",
            fix="rescale it before fitting (e.g. a revenue in thousands): importances and their intervals do not "
            "depend on a column's unit",
        )


def resample_sums(D: np.ndarray, m: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """(n_boot, 4, q, q) exact int64 sums of rows ``D`` occurring ``m`` times each, under the Poisson
    weights of resamples 0 .. n_boot - 1 (:func:`poisson_weights`, :func:`weighted_sums`), in chunks.
    Sums over parts of the rows add up to the sums over all of them (Spark adds its partitions').

    >>> D, m = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 5.0]]), np.array([1, 2, 1])
    >>> bool((resample_sums(D, m, 3, seed=1) == resample_sums(D[:1], m[:1], 3, 1) + resample_sums(D[1:], m[1:], 3, 1)).all())
    True
    """
    D = np.asarray(D, dtype=np.float64)
    q = D.shape[1]
    out = np.zeros((n_boot, 4, q, q), dtype=np.int64)
    if not len(D) or not n_boot:
        return out
    keys = row_keys(D)
    chunk = max(10, min(100, 10_000_000 // len(D)))
    buf = np.empty((min(chunk, n_boot), len(D)))  # reused: fresh memory for every chunk costs page faults
    for b0 in range(0, n_boot, chunk):
        w = poisson_weights(keys, m, b0, min(chunk, n_boot - b0), seed, out=buf)
        part = weighted_sums(D, w)
        if part.dtype == object and out.dtype != object:
            out = out.astype(object)
        out[b0 : b0 + len(w)] = part
    return out


def corr_from_sums(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise-complete correlations and standard deviations (in the sums' units) from (..., 4, q, q)
    sums N, S, Q, C (:func:`weighted_sums`), in float64: the same sums give the same numbers.

    >>> X = np.random.default_rng(0).integers(1, 6, size=(200, 3)).astype(float)
    >>> R, sd = corr_from_sums(weighted_sums(X, np.ones((1, 200)))[0])
    >>> bool(np.allclose(R, np.corrcoef(X.T))), bool(np.allclose(sd / 10_000, X.std(axis=0, ddof=1)))
    (True, True)
    """
    sums = np.asarray(sums, dtype=np.float64)
    N, S, Q, C = sums[..., 0, :, :], sums[..., 1, :, :], sums[..., 2, :, :], sums[..., 3, :, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        St = np.swapaxes(S, -1, -2)
        var = (N * Q - S * S) * np.swapaxes(N * Q - S * S, -1, -2)
        corr = (N * C - S * St) / np.sqrt(var)
        nd = np.diagonal(N, axis1=-2, axis2=-1)
        sd = np.sqrt(np.clip(np.diagonal(N * Q - S * S, axis1=-2, axis2=-1), 0, None) / (nd * np.maximum(nd - 1, 1)))
    idx = np.arange(sums.shape[-1])
    corr[..., idx, idx] = 1.0
    return np.clip(corr, -1.0, 1.0), sd


def exact_sums(X: np.ndarray) -> np.ndarray:
    """Exact pairwise-complete sums of the rows of ``X`` (NaN = missing), values in units of 1/10,000.

    Returns a (4, q, q) object array of Python integers: N[j, k] rows where j and k are both
    observed, S[j, k] the sum of x_j over those rows, Q[j, k] of x_j ** 2, C[j, k] of x_j * x_k.
    Sums of parts add up to the sums of the whole (Spark adds them per partition).

    >>> exact_sums(np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 5.0]]))[1].tolist()
    [[60000, 40000], [70000, 70000]]
    """
    from carlzon.analysis.sums import units

    X = np.asarray(X, dtype=np.float64)
    if not len(X):
        return np.zeros((4, X.shape[1], X.shape[1]), dtype=np.int64).astype(object)
    obs = ~np.isnan(X)
    U = np.where(obs, units(np.where(obs, X, 0.0)), 0)
    if float(np.abs(U).max()) ** 2 >= _MAX_SQUARE:  # too large for weighted_sums: Python integers (slow, exact)
        Uo, Mo = U.astype(object), obs.astype(np.int64).astype(object)
        return np.stack([Mo.T @ Mo, Uo.T @ Mo, (Uo * Uo).T @ Mo, Uo.T @ Uo])
    return weighted_sums(X, np.ones((1, len(X))))[0].astype(object)  # each row once


def exact_means(X: np.ndarray) -> np.ndarray:
    """Column means over the observed values, from exact sums in units (rounded once)."""
    from carlzon.analysis.sums import UNITS, units

    means = []
    for j in range(X.shape[1]):
        x = X[:, j]
        x = x[~np.isnan(x)]
        means.append(int(units(x).astype(object).sum()) / (len(x) * UNITS) if len(x) else math.nan)
    return np.array(means, dtype=np.float64)


def corr_from_exact(sums: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise-complete correlations (q, q) and standard deviations (q,) from :func:`exact_sums`.

    corr[j, k] = (N C - S_jk S_kj) / sqrt((N Q_jk - S_jk^2)(N Q_kj - S_kj^2)), numerators and
    denominators in exact integers, rounded once each; sd with ddof=1, in the data's units.

    >>> X = np.random.default_rng(0).integers(1, 6, size=(200, 3)).astype(float)
    >>> R, sd = corr_from_exact(exact_sums(X))
    >>> bool(np.allclose(R, np.corrcoef(X.T))), bool(np.allclose(sd, X.std(axis=0, ddof=1)))
    (True, True)
    """
    from carlzon.analysis.sums import UNITS

    N, S, Q, C = sums
    q = N.shape[0]
    R = np.eye(q)
    sd = np.full(q, math.nan)
    for j in range(q):
        n = int(N[j, j])
        if n > 1:
            sd[j] = math.sqrt((n * int(Q[j, j]) - int(S[j, j]) ** 2) / (n * (n - 1) * UNITS * UNITS))
        for k in range(j + 1, q):
            n = int(N[j, k])
            sjk, skj = int(S[j, k]), int(S[k, j])
            var = (n * int(Q[j, k]) - sjk * sjk) * (n * int(Q[k, j]) - skj * skj)
            r = min(1.0, max(-1.0, (n * int(C[j, k]) - sjk * skj) / math.sqrt(var))) if var > 0 else math.nan
            R[j, k] = R[k, j] = r
    return R, sd


def sym_sqrt(Rxx: np.ndarray) -> np.ndarray:
    """Symmetric square root of a stack of correlation matrices (eigenvalues floored at 1e-10)."""
    lam, V = np.linalg.eigh(Rxx)
    lam = np.clip(lam, _EIG_FLOOR, None)
    return (V * np.sqrt(lam)[..., None, :]) @ np.swapaxes(V, -1, -2)


def relative_weights(R: np.ndarray) -> np.ndarray:
    """Johnson's raw relative weights from correlation matrices whose last row/column is the outcome.

    Works on one (q, q) matrix or a stack (B, q, q); returns (p,) or (B, p)
    weights summing to the model R2.
    """
    R = np.asarray(R, dtype=float)
    Rxx, rxy = R[..., :-1, :-1], R[..., :-1, -1]
    lam, V = np.linalg.eigh(Rxx)
    lam = np.clip(lam, _EIG_FLOOR, None)
    Vt = np.swapaxes(V, -1, -2)
    Lam = (V * np.sqrt(lam)[..., None, :]) @ Vt
    Lam_inv = (V / np.sqrt(lam)[..., None, :]) @ Vt
    beta = (Lam_inv @ rxy[..., None])[..., 0]
    return ((Lam**2) @ (beta**2)[..., None])[..., 0]


def relative_weights_from_coefs(Rxx: np.ndarray, b_std: np.ndarray) -> np.ndarray:
    """Relative weights from standardized coefficients of any linear predictor.

    Tonidandel & LeBreton (2010): the coefficients on the orthogonal
    counterparts Z = X Lambda^-1 are Lambda b_std; weights are Lambda**2 @
    (Lambda b_std)**2. Returned unscaled: divide by the sum for shares.
    """
    Lam = sym_sqrt(Rxx)
    bz = (Lam @ np.asarray(b_std)[..., None])[..., 0]
    return ((Lam**2) @ (bz**2)[..., None])[..., 0]


def r2_from_corr(R: np.ndarray, subset: np.ndarray | None = None) -> np.ndarray:
    """R2 of the linear model of the outcome (last column) on a subset of drivers (all by default)."""
    R = np.asarray(R, dtype=float)
    p = R.shape[-1] - 1
    cols = np.arange(p) if subset is None else np.asarray(subset)
    if cols.size == 0:
        return np.zeros(R.shape[:-2])
    Rss = R[..., cols[:, None], cols[None, :]]
    r = R[..., cols, -1]
    sol = (
        np.linalg.lstsq(Rss, r, rcond=None)[0]
        if R.ndim == 2
        else np.linalg.solve(Rss + np.eye(cols.size) * 1e-12, r[..., None])[..., 0]
    )
    return np.sum(r * sol, axis=-1)


def subset_values_from_corr(R: np.ndarray) -> np.ndarray:
    """R2 of every subset of drivers (index = bit mask), for one or a stack of correlation matrices."""
    p = R.shape[-1] - 1
    out = np.zeros(R.shape[:-2] + (2**p,))
    for mask in range(1, 2**p):
        cols = np.array([j for j in range(p) if mask >> j & 1])
        out[..., mask] = r2_from_corr(R, cols)
    return out


def shapley_values(values: np.ndarray) -> np.ndarray:
    """Exact Shapley values from the value of every subset (last axis indexed by bit mask)."""
    values = np.asarray(values, dtype=float)
    n_sub = values.shape[-1]
    p = int(round(math.log2(n_sub)))
    masks = np.arange(n_sub)
    size = np.array([bin(m).count("1") for m in masks])
    fact = [math.factorial(k) for k in range(p + 1)]
    out = np.zeros(values.shape[:-1] + (p,))
    for j in range(p):
        without = masks[(masks >> j & 1) == 0]
        k = size[without]
        weight = np.array([fact[s] * fact[p - s - 1] / fact[p] for s in k])
        out[..., j] = (values[..., without | (1 << j)] - values[..., without]) @ weight
    return out


def logistic_fit(
    X: np.ndarray,
    y: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    start: np.ndarray | None = None,
    max_iter: int = 50,
    tol: float = 1e-9,
) -> tuple[np.ndarray, float, np.ndarray]:
    """Logistic regression by Newton-Raphson (IRLS), intercept added.

    Returns (coefficients with the intercept first, log-likelihood, inverse
    information matrix). ``weights`` are frequency weights.
    """
    n = len(y)
    A = np.column_stack([np.ones(n), X]) if X.size else np.ones((n, 1))
    w = np.ones(n) if weights is None else weights
    beta = np.zeros(A.shape[1]) if start is None else start.copy()
    if start is None:
        ybar = np.clip(np.average(y, weights=w), 1e-6, 1 - 1e-6)
        beta[0] = math.log(ybar / (1 - ybar))
    ll_old = -np.inf
    for _ in range(max_iter):
        eta = A @ beta
        mu = 1 / (1 + np.exp(-eta))
        ll = float(np.sum(w * (y * eta - np.logaddexp(0, eta))))
        v = w * mu * (1 - mu)
        H = (A * v[:, None]).T @ A
        g = A.T @ (w * (y - mu))
        step = np.linalg.solve(H + np.eye(len(beta)) * 1e-10, g)
        beta = beta + step
        if abs(ll - ll_old) < tol * (abs(ll) + 1):
            break
        ll_old = ll
    eta = A @ beta
    mu = 1 / (1 + np.exp(-eta))
    ll = float(np.sum(w * (y * eta - np.logaddexp(0, eta))))
    H = (A * (w * mu * (1 - mu))[:, None]).T @ A
    return beta, ll, np.linalg.pinv(H)

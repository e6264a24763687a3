"""SCI's parameter allocation: how many parameters each block's funnel network gets.

The paper's rule gives block i a share proportional to |V_i| / D_i (size over spectrum
concentration: big blocks with spread spectra need more).  The ablation's alternatives
stay available: ``size`` (|V_i|), ``d`` (1 / D_i, the reference code's "by_d") and
``equal``.  As in the reference code, a block whose share cannot hold the smallest
network (``min_width``) is dropped (stored as its mean) and the shares are recomputed
among the others, until every remaining block fits.

Shares become widths: the widest funnel (first layer round(fr * h), then h) within the
share.  The parameters that flooring leaves over are handed out again, one width step at
a time, to the blocks furthest below their share (a hidden unit where it fits, else a
first-layer unit), so the stored count uses the budget to within one first-layer unit.
"""

from __future__ import annotations

import numpy as np

from .widths import first_width, funnel_params, widths_for

RULES = ("size_over_d", "size", "d", "equal")


def rule_weights(sizes: np.ndarray, conc: np.ndarray, rule: str) -> np.ndarray:
    sizes, conc = np.asarray(sizes, float), np.asarray(conc, float)
    if rule == "size_over_d":
        return sizes / conc
    if rule == "size":
        return sizes
    if rule == "d":
        return 1.0 / conc
    if rule == "equal":
        return np.ones_like(sizes)
    raise ValueError(f"sci: alloc must be one of {RULES}; got {rule!r}")


def allocate(sizes, conc, budget: int, rule: str, ndim: int, layers: int, fr: float,
             min_width: int) -> list[tuple[int, int] | None]:
    """Widths (f1, h) per block, or None for a dropped block (stored as its mean).

    ``budget`` counts network parameters plus one per dropped block; the result uses at
    most that many.
    """
    weights = rule_weights(sizes, conc, rule)
    count = len(weights)
    smallest = funnel_params(ndim, layers, first_width(min_width, fr), min_width)
    alive = np.arange(count)
    while True:
        net_budget = budget - (count - len(alive))
        if len(alive) == 0 or net_budget < smallest:
            return [None] * count
        share = net_budget * weights[alive] / weights[alive].sum()
        fits = share >= smallest
        if fits.all():
            break
        alive = alive[fits]
    widths: dict[int, list[int]] = {}
    for i, s in zip(alive, share):
        f1, h = widths_for(s, ndim, layers, fr, min_width)
        widths[int(i)] = [f1, h]
    _fill(widths, dict(zip(alive.tolist(), share.tolist())), net_budget, ndim, layers, fr)
    return [tuple(widths[i]) if i in widths else None for i in range(count)]


def _fill(widths: dict[int, list[int]], share: dict[int, float], budget: int, ndim: int, layers: int,
          fr: float) -> None:
    """Hand the flooring leftover to the blocks furthest below their share."""
    def params(i: int) -> int:
        return funnel_params(ndim, layers, *widths[i])

    left = budget - sum(params(i) for i in widths)
    while True:
        for i in sorted(widths, key=lambda i: (params(i) - share[i], i)):
            f1, h = widths[i]
            grow = funnel_params(ndim, layers, max(f1, first_width(h + 1, fr)), h + 1) - params(i)
            if grow <= left:
                widths[i] = [max(f1, first_width(h + 1, fr)), h + 1]
                left -= grow
                break
            if ndim + 1 + h <= left:
                widths[i] = [f1 + 1, h]
                left -= ndim + 1 + h
                break
        else:
            return

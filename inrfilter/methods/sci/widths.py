"""Parameter counts of SCI's funnel SIRENs (first layer ``f1`` wide, the others ``h``),
and the widest funnel a parameter budget holds.  Layout and allocation both count with
these, so they live below both."""

from __future__ import annotations


def funnel_shapes(ndim: int, layers: int, f1: int, h: int) -> list[tuple[str, tuple[int, ...]]]:
    """Parameter names and shapes of a funnel SIREN with ``layers`` linear layers: the
    first sine layer ``f1`` wide, the others ``h`` wide, a linear output."""
    shapes = [("W0", (ndim, f1)), ("b0", (f1,)), ("W1", (f1, h)), ("b1", (h,))]
    for i in range(2, layers - 1):
        shapes += [(f"W{i}", (h, h)), (f"b{i}", (h,))]
    shapes += [(f"W{layers - 1}", (h, 1)), (f"b{layers - 1}", (1,))]
    return shapes


def funnel_params(ndim: int, layers: int, f1: int, h: int) -> int:
    return (ndim + 1) * f1 + (f1 + 1) * h + (layers - 3) * (h + 1) * h + h + 1


def first_width(h: int, fr: float) -> int:
    return max(1, int(round(fr * h)))


def widths_for(budget: float, ndim: int, layers: int, fr: float, min_width: int = 1) -> tuple[int, int] | None:
    """Widest funnel (f1 = round(fr * h), h) within ``budget`` parameters; None if even
    ``min_width`` does not fit."""
    if funnel_params(ndim, layers, first_width(min_width, fr), min_width) > budget:
        return None
    lo, hi = min_width, min_width
    while funnel_params(ndim, layers, first_width(hi * 2, fr), hi * 2) <= budget:
        hi *= 2
    hi *= 2
    while lo < hi - 1:
        mid = (lo + hi) // 2
        if funnel_params(ndim, layers, first_width(mid, fr), mid) <= budget:
            lo = mid
        else:
            hi = mid
    return first_width(lo, fr), lo

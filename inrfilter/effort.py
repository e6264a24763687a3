"""How much training a write may spend, and when more training is pointless.

- ``effort=`` presets: step budgets a user picks by name instead of a step count
  (docs/effort.md has the measured quality/time curve they were chosen from).
- :class:`TargetWarning`: a chunk that missed its psnr target, stopped early because
  the target was out of reach, or was stored as a lossless copy says so.
- :func:`hopeless`: the training loop's test for a psnr target the training curve
  cannot reach within the remaining steps.
- :func:`stop_climbing`: the psnr size ladder's test for a bigger network that no
  longer buys quality.

numpy only (the training loop and the encoder both use it; readers never need it).
"""

from __future__ import annotations

import math

import numpy as np

#: effort name -> (training steps per batch, learning-rate factor).  Short budgets
#: train better at a higher rate: siren at ratio 30, 400 steps, gained 0.4-2.5 dB from
#: twice its rate on three crops (benchmarks/results/effort has the curve).
EFFORTS: dict[str, tuple[int, float]] = {"fast": (300, 2.0), "normal": (1000, 1.0), "best": (3000, 1.0)}
#: the preset used when neither ``effort`` nor ``steps`` is given, per torch device
#: type: a CPU user should not wait minutes per chunk; a GPU trains ~50x faster
DEFAULT_EFFORT = {"cpu": "fast", "cuda": "normal"}

#: Highest psnr target accepted.  20*log10(2**53) = 319 dB is where an error, relative
#: to the value range, falls below float64's resolution: a target above it asks for
#: more than the data type can even express (ask ``max_error=0`` for lossless).
MAX_PSNR_DB = 20 * math.log10(2.0**53)

#: The training curve is judged only after this share of the step budget and this many
#: steps (sine networks often sit on a plateau for a few dozen steps, then drop)...
JUDGE_AFTER = 0.3
MIN_JUDGE_STEPS = 100
#: ...over a window of this share of the budget (in steps, at least MIN_WINDOW)...
WINDOW = 0.1
MIN_WINDOW = 25
#: ...and a chunk is hopeless when even the window's improvement rate, held for every
#: remaining step (an optimistic projection: curves flatten), leaves it this far short.
HOPELESS_MARGIN_DB = 1.0


class TargetWarning(UserWarning):
    """A chunk did not get what the target asked for: its psnr is below the target,
    training stopped because the target was out of reach, or it was stored lossless."""


def preset(effort: str | None, device_type: str = "cpu") -> tuple[int, float]:
    """(steps, learning-rate factor) of an effort preset (None: the device type's default)."""
    check_effort(effort)
    return EFFORTS[effort or DEFAULT_EFFORT.get(device_type, "fast")]


def check_effort(effort: object) -> None:
    if effort is not None and effort not in EFFORTS:
        raise ValueError(f"effort must be one of {sorted(EFFORTS)}; got {effort!r}")


def to_db(mse: np.ndarray) -> np.ndarray:
    """PSNR (dB) of a normalised MSE (value range 2)."""
    with np.errstate(divide="ignore"):
        return 10 * np.log10(4.0 / np.asarray(mse, dtype=np.float64))


def hopeless(history: list[tuple[int, np.ndarray]], step: int, steps: int, target_mse: np.ndarray) -> np.ndarray:
    """Chunks (bool ``[B]``) whose best-MSE curve cannot reach ``target_mse`` by ``steps``.

    ``history`` holds ``(step, best_mse [B])`` at each evaluation so far.  The rate of
    improvement (dB per step) over the last window is projected linearly to the end
    of the budget; a chunk is hopeless when that projection falls short of the target
    by more than ``HOPELESS_MARGIN_DB``.  Nothing is judged before ``JUDGE_AFTER`` of
    the budget (and ``MIN_JUDGE_STEPS``), so a fit's first plateau never counts against it."""
    batch = len(target_mse)
    none = np.zeros(batch, dtype=bool)
    window = max(MIN_WINDOW, int(WINDOW * steps))
    if step < max(JUDGE_AFTER * steps, MIN_JUDGE_STEPS, window) or not history:
        return none
    then = [h for h in history if h[0] <= step - window]
    if not then:
        return none
    t0, mse0 = then[-1]
    now = to_db(history[-1][1])
    rate = np.maximum(now - to_db(mse0), 0.0) / max(step - t0, 1)
    projected = now + rate * max(steps - step, 0)
    return projected + HOPELESS_MARGIN_DB < to_db(target_mse)


def stop_climbing(previous_psnr: float, psnr: float, goal: float, rungs_left: int, early: bool = False) -> bool:
    """Whether a chunk that missed its target on a rung should not try a bigger one: the
    last step up bought so little that even buying twice as much on every rung left
    would not close the gap to ``goal`` (rungs double the size and gains per doubling
    usually shrink; a plateau, no gain at all, always stops).  ``early``: the fit
    stopped early as hopeless, so its psnr understates what its size can do: four
    times, then."""
    if not math.isfinite(previous_psnr) or not math.isfinite(psnr):
        return False
    gain = psnr - previous_psnr
    return gain <= 0 or (4 if early else 2) * gain * rungs_left < goal - psnr

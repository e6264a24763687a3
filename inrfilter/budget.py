"""What a training run may spend, and the parameter type: shared by the method contract
(:mod:`inrfilter.methods.base`) and the torch training loop (:mod:`inrfilter.nn`), which
must not import each other's modules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: a network's parameters: name -> numpy array (never a torch object)
Params = dict[str, np.ndarray]


@dataclass
class Budget:
    """How long to train one batch, and when to stop early.

    ``target_mse`` is per chunk, in normalised units (range 2); training stops once
    every chunk's best full-grid MSE is at or below it.
    """

    steps: int = 2000
    seconds: float | None = None
    target_mse: np.ndarray | None = None
    progress: bool | None = None  # None: a bar only on a terminal
    seed: int = 0
    #: bool ``[B, *shape]``: voxels the core restores by itself (non-finite holes); their
    #: values in the chunks are fill-ins a method need not fit.  None: no holes.
    holes: np.ndarray | None = None
    #: each chunk's :meth:`Method.side_info`, in chunk order (None when fit is called
    #: directly, without the encoder)
    side: list[dict[str, Any]] | None = None
    #: filled by the training loop when it returns: ``steps`` run and, per chunk,
    #: ``hopeless`` (training stopped because its target_mse was out of reach)
    report: dict[str, Any] | None = None
    #: every learning rate of the training loop is multiplied by this (effort presets)
    lr_scale: float = 1.0
    #: quantisation in the loop: the relative step (step / RMS of each tensor) of the
    #: weights' quantiser, applied as uniform noise in the last ``QAT_SHARE`` of the
    #: steps; None: train in float only
    quant_step: float | None = None

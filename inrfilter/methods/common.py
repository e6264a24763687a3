"""numpy pieces several methods share: sine-layer initialisation, the blocked sine-MLP
forward pass of their reference decoders, and the sizes both bound.

numpy only: ``Method.init_params`` and every decoder run without torch.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

#: decoders evaluate at most this many points at once (bounds the activations' memory:
#: 32768 points x 1024 wide x 4 bytes = 128 MiB at the widest)
EVAL_BLOCK = 1 << 15
#: widest hidden layer any size ladder offers
MAX_WIDTH = 1024
#: most layers of one network any method's options allow
MAX_LAYERS = 16
#: largest sine frequency factor a stored spec may hold (the options' defaults are 10-30)
MAX_W0 = 1e6


def sine_layer_init(rng: np.random.Generator, fan_in: int, fan_out: int, w0: float,
                    first: bool) -> tuple[np.ndarray, np.ndarray]:
    """SIREN's initialisation (Sitzmann et al. 2020), drawn in numpy so it is the same on
    every device: first layer U(-1/in, 1/in), later layers U(-sqrt(6/in)/w0,
    sqrt(6/in)/w0), biases U(-1/sqrt(in), 1/sqrt(in)) (torch's Linear default, as in
    the SIREN reference code).  Returns (weight ``[in, out]``, bias ``[out]``), float32."""
    bound = 1.0 / fan_in if first else np.sqrt(6.0 / fan_in) / w0
    weight = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32)
    bias = rng.uniform(-1 / np.sqrt(fan_in), 1 / np.sqrt(fan_in), fan_out).astype(np.float32)
    return weight, bias


def sine_mlp(x: np.ndarray, layers: Sequence[tuple[np.ndarray, np.ndarray]],
             w0: float | Sequence[float]) -> np.ndarray:
    """``[n, out]`` float32: sin(w0_i (h W_i + b_i)) for every layer but the last, which
    is linear, evaluated ``EVAL_BLOCK`` rows at a time (``x`` an array ``[n, in]`` or
    lazy points with a ``block(start, stop)`` method).  ``w0`` is one factor for every
    sine layer or one per sine layer."""
    factors = [np.float32(w) for w in (w0 if isinstance(w0, Sequence) else [w0] * (len(layers) - 1))]
    if not hasattr(x, "block"):  # an array; lazy points (inrfilter.grid.lazy_points) come a block at a time
        x = np.asarray(x, np.float32)
    last_w, last_b = layers[-1]
    out = np.empty((len(x), last_w.shape[-1]), np.float32)
    for start in range(0, len(x), EVAL_BLOCK):
        h = np.asarray(x.block(start, start + EVAL_BLOCK) if hasattr(x, "block") else x[start : start + EVAL_BLOCK],
                       np.float32)
        for (weight, bias), factor in zip(layers[:-1], factors):
            h = np.sin(factor * (h @ weight + bias))
        out[start : start + EVAL_BLOCK] = h @ last_w + last_b
    return out

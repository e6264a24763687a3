"""The encoder settings every door carries (zarr/numcodecs metadata, HDF5 cd_values), and how stores train.

A codec's configuration is checked when the codec is made, without torch, so a
bad setting fails when the array is created rather than at its first write, and a
reader can rebuild the codec from metadata on a machine without torch.  The HDF5
filter packs the same settings into integers (:mod:`inrfilter.h5.cdvalues`).  Training
goes through :func:`encode_chunks`, which holds one process-wide lock: zarr
encodes several batches at once (in threads), and one device is best used by one
batch at a time.  While an encode pool is active, the pool does the batching and
the lock is not taken.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Sequence

from .encoder import check_arguments, encode_batch
from .options import DEVICE_OPTION, OptionError, check_value
from .quant import DEFAULT_QUANT

#: one training at a time per process: overlapping zarr batches queue here
TRAINING_LOCK = threading.Lock()

#: encode_batch arguments a codec stores, in the order its config lists them
ENCODE_KEYS = ("method", "ratio", "psnr", "max_error", "steps", "seconds", "device", "seed", "transform", "quant",
               "effort")


@dataclass(frozen=True)
class EncodeSettings:
    """Validated encoder arguments: a target, a budget, the method and its options."""

    method: str = "siren"
    ratio: float | None = None
    psnr: float | None = None
    max_error: float | None = None
    steps: int | None = None
    seconds: float | None = None
    device: str = "auto"
    seed: int = 0
    transform: str | None = None
    quant: str = DEFAULT_QUANT
    effort: str | None = None
    #: method options as given (sorted pairs, so settings stay hashable)
    options: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def create(cls, method: str = "siren", **kwargs: Any) -> "EncodeSettings":
        """Check everything encode_batch would check, except what needs torch."""
        encode_args = {k: kwargs.pop(k) for k in ENCODE_KEYS[1:] if k in kwargs}
        settings = cls(method, **encode_args, options=tuple(sorted(kwargs.items())))
        check_arguments(method, **{k: v for k, v in settings.encode_kwargs().items() if k != "device"})
        check_value(f"codec (method {method!r})", "device", DEVICE_OPTION, settings.device)
        try:
            json.dumps(settings.to_json())
        except TypeError as exc:
            raise OptionError(f"codec settings must be JSON values (they are stored in array metadata): {exc}") from None
        return settings

    def to_json(self) -> dict[str, Any]:
        """Flat JSON form: the encode arguments that are set, then the method options."""
        out = {k: getattr(self, k) for k in ENCODE_KEYS if getattr(self, k) is not None}
        out.update(self.options)
        return out

    def encode_kwargs(self) -> dict[str, Any]:
        kwargs = {k: getattr(self, k) for k in ENCODE_KEYS[1:]}
        kwargs.update(self.options)
        return kwargs


def encode_chunks(settings: EncodeSettings, arrays: Sequence[Any], progress: bool | None = None,
                  valid: Sequence[Any] | None = None) -> list[bytes]:
    """Train chunks of one shape and dtype together, one batch per process at a time;
    while an encode pool is active (:mod:`inrfilter.pool`), in the pool, without the
    lock: the pool merges concurrent callers' chunks into shared batches itself."""
    from .pool.active import active_pool

    if active_pool() is not None:
        return encode_batch(arrays, settings.method, progress=progress, valid=valid, **settings.encode_kwargs())
    with TRAINING_LOCK:
        return encode_batch(arrays, settings.method, progress=progress, valid=valid, **settings.encode_kwargs())

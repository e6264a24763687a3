"""Torch building blocks, all batched over chunks (leading dimension B).

Importing this package imports torch; the rest of inrfilter imports it lazily, only
to encode.
"""

from .device import resolve_device
from .train import fit_batched

__all__ = ["fit_batched", "resolve_device"]

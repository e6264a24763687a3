"""Registry of methods: name -> Method instance."""

from __future__ import annotations

from ..options import OptionError
from .base import Budget, Method
from .fourier import Fourier
from .latent import Latent
from .sasnet import Sasnet
from .sci import SCI
from .siren import Siren
from .wien import Wien

_REGISTRY: dict[str, Method] = {m.name: m for m in (Siren(), Fourier(), Sasnet(), SCI(), Wien(), Latent())}
METHODS: tuple[str, ...] = tuple(_REGISTRY)


def get_method(name: str) -> Method:
    """The method called ``name``; OptionError naming the available ones otherwise."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise OptionError(f"unknown method {name!r}; available: {', '.join(METHODS)}") from None


__all__ = ["Budget", "Method", "METHODS", "get_method"]

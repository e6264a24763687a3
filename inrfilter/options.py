"""One validator for every setting a user passes: encoder arguments and method options.

Each option is declared once, with its type, range and default (:class:`Option`); a
method lists its own in ``Method.options``.  Checking is strict, because a codec's
settings end up in array metadata and HDF5 cd_values where a wrong type silently
changes meaning: a bool is not an integer, a string is not a number, a float must be
finite.  Every bad value, unknown option or unknown method raises :class:`OptionError`
naming the method and the option.  Checked values come back as plain Python types
(numpy scalars converted), so they serialise to JSON and msgpack unchanged.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from .chunk import TRANSFORMS
from .effort import EFFORTS, MAX_PSNR_DB
from .quant import DEFAULT_QUANT, QUANTS


class OptionError(ValueError, TypeError):
    """A bad method name, an unknown option or a bad option value.

    A ValueError and a TypeError both, so code written against either keeps working."""


_KINDS = ("int", "float", "bool", "str")


@dataclass(frozen=True)
class Option:
    """One setting: its kind ("int", "float", "bool" or "str"), default and bounds.

    ``low``/``high`` bound numbers (inclusive unless ``open_low``/``open_high``);
    ``choices`` restricts strings (or numbers); ``none`` allows None; ``check`` is a
    last predicate on the converted value, with ``rule`` saying what it wants."""

    kind: str
    default: Any
    low: float | None = None
    high: float | None = None
    open_low: bool = False
    open_high: bool = False
    choices: tuple[Any, ...] | None = None
    none: bool = False
    check: Callable[[Any], bool] | None = None
    rule: str = ""
    help: str = ""
    #: strings accepted as they are besides values of ``kind`` (e.g. "auto")
    literals: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"option kind must be one of {_KINDS}; got {self.kind!r}")

    def wants(self) -> str:
        """What a valid value looks like, in words (for error messages and --help)."""
        if self.choices is not None:
            text = "one of " + ", ".join(repr(c) for c in self.choices)
        else:
            text = {"int": "an integer", "float": "a finite number", "bool": "True or False",
                    "str": "a string"}[self.kind]
            if self.low is not None:
                text += f" {'>' if self.open_low else '>='} {self.low:g}"
            if self.high is not None:
                text += f"{' and' if self.low is not None else ''} {'<' if self.open_high else '<='} {self.high:g}"
        if self.rule:
            text += f" ({self.rule})"
        if self.literals:
            text = " or ".join(repr(s) for s in self.literals) + ", or " + text
        return text + (" or None" if self.none else "")

    def convert(self, value: Any) -> Any:
        """The checked value as a plain Python type; ValueError saying what is wanted."""
        if isinstance(value, str) and value in self.literals:
            return value
        if value is None:
            if self.none:
                return None
            raise ValueError
        if self.kind == "bool":
            if not isinstance(value, (bool, np.bool_)):
                raise ValueError
            value = bool(value)
        elif self.kind == "int":
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                raise ValueError
            value = int(value)
        elif self.kind == "float":
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise ValueError
            value = float(value)
            if not math.isfinite(value):
                raise ValueError
        elif not isinstance(value, str):
            raise ValueError
        if self.choices is not None and value not in self.choices:
            raise ValueError
        if self.low is not None and (value < self.low or (self.open_low and value == self.low)):
            raise ValueError
        if self.high is not None and (value > self.high or (self.open_high and value == self.high)):
            raise ValueError
        if self.check is not None and not self.check(value):
            raise ValueError
        return value


def check_value(owner: str, name: str, option: Option, value: Any) -> Any:
    """``option.convert(value)``, or an OptionError naming ``owner`` and ``name``."""
    try:
        return option.convert(value)
    except (ValueError, TypeError, OverflowError):
        raise OptionError(f"{owner}: {name} must be {option.wants()}; got {value!r}") from None


def check_options(owner: str, declared: Mapping[str, Option], given: Mapping[str, Any]) -> dict[str, Any]:
    """Every declared option, checked, with defaults filled in; unknown names rejected."""
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise OptionError(f"{owner} has no option(s) {unknown}; it takes {sorted(declared)}")
    return {name: check_value(owner, name, option, given.get(name, option.default))
            for name, option in declared.items()}


# ---- the encoder's own arguments (every door passes them) -----------------------------

ENCODE_OPTIONS: dict[str, Option] = {
    "ratio": Option("float", None, low=1.0, none=True, help="size target: blob ~ raw/ratio bytes"),
    "psnr": Option("float", None, low=0.0, open_low=True, high=MAX_PSNR_DB, none=True,
                   rule="above it errors fall below float64's resolution; max_error=0 gives an exact copy",
                   help="quality target (dB over the range)"),
    "max_error": Option("float", None, low=0.0, none=True, help="guaranteed bound on every value's error"),
    "steps": Option("int", None, low=1, none=True, help="training steps per batch"),
    "seconds": Option("float", None, low=0.0, open_low=True, none=True, help="training time per batch"),
    "seed": Option("int", 0, low=0, high=2**32 - 1, help="seed of every random draw"),
    "transform": Option("str", None, choices=tuple(t for t in TRANSFORMS if t), none=True, help="'log' fits log1p of the shifted data"),
    "quant": Option("str", DEFAULT_QUANT, choices=QUANTS, help="how weights are stored"),
    "effort": Option("str", None, choices=tuple(EFFORTS), none=True,
                     help="training budget by name when steps is not given (docs/effort.md)"),
}

#: where the store codecs train (encode() itself also takes a torch.device)
DEVICE_OPTION = Option("str", "auto", check=lambda d: re.fullmatch(r"auto|cpu|cuda(:\d+)?", d) is not None,
                       rule="'auto', 'cpu', 'cuda' or 'cuda:N'", help="training device")

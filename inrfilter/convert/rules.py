"""Which datasets are compressed lossily, and how: h5repack-style rules.

A rule is ``PATTERN:key=value,key=value``, for instance
``/entry/data/*:method=siren,psnr=45``.  The pattern is a glob over dataset paths:
``*`` and ``?`` stay inside one path component, ``**`` crosses them; a pattern without
a leading ``/`` gets one.  The settings are :func:`inrfilter.encode` arguments (checked
with :meth:`EncodeSettings.create` when the rule is parsed, so a bad rule fails before
anything is written) plus ``chunks=1x256x256`` (the output chunk shape).  The settings
``lossless`` (alone) keep the matched datasets lossless.

The first matching rule wins; the default rule (``--default``, no pattern) applies to
floating-point datasets no rule matched.  Integer data and dimension scales (coordinate
axes) are compressed lossily only by an explicit rule: detector counts need deliberate
settings (``transform=log``, ``max_error=0.5``), and coordinates are rarely worth a
lossy copy.  Datasets smaller than the lossless threshold (``-m``) stay lossless
whatever matches them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..settings import EncodeSettings

_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": 1024**2,
          "g": 1000**3, "gb": 1000**3, "gib": 1024**3}
_SETTING = re.compile(r"^[A-Za-z_][\w-]*=|^lossless$")


class RuleError(ValueError):
    """A rule that cannot be parsed or whose settings are invalid."""


def parse_size(text: str | int) -> int:
    """``"1MiB"`` -> 1048576; plain numbers are bytes."""
    if isinstance(text, int):
        return text
    m = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", str(text))
    if not m or m.group(2).lower() not in _UNITS:
        raise RuleError(f"size {text!r}: expected a number with an optional unit (B, kB, KiB, MB, MiB, GB, GiB)")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def parse_chunks(text: str | tuple | list) -> tuple[int, ...]:
    """``"1x256x256"`` (or ``1,256,256``) -> (1, 256, 256)."""
    if isinstance(text, (tuple, list)):
        parts = list(text)
    else:
        parts = re.split(r"[x,]", str(text))
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        raise RuleError(f"chunks {text!r}: expected sizes like 1x256x256") from None
    if not shape or any(n < 1 for n in shape):
        raise RuleError(f"chunks {text!r}: sizes must be positive")
    return shape


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def glob_regex(pattern: str) -> re.Pattern:
    """``*`` and ``?`` within a component, ``**`` across components."""
    if not pattern.startswith("/"):
        pattern = "/" + pattern
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


@dataclass(frozen=True)
class Rule:
    """One rule: a pattern, and either encoder settings or lossless."""

    text: str
    pattern: str
    settings: EncodeSettings | None  # None: lossless
    chunks: tuple[int, ...] | None = None
    explicit: bool = True  # False for the default rule
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", glob_regex(self.pattern))

    def matches(self, path: str) -> bool:
        return bool(self.regex.match(path))


def parse_settings(text: str, where: str) -> tuple[EncodeSettings | None, tuple[int, ...] | None]:
    """``method=siren,psnr=45`` -> validated settings (None for ``lossless``) and chunks."""
    text = text.strip()
    if text == "lossless":
        return None, None
    kwargs: dict[str, Any] = {}
    chunks = None
    for item in filter(None, (s.strip() for s in text.split(","))):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise RuleError(f"{where}: {item!r} is not key=value")
        key = key.strip().replace("-", "_")
        if key == "chunks":
            chunks = parse_chunks(value)
        else:
            kwargs[key] = _value(value.strip())
    if not kwargs:
        raise RuleError(f"{where}: no settings (give e.g. method=siren,psnr=40, or 'lossless')")
    method = kwargs.pop("method", "siren")
    try:
        settings = EncodeSettings.create(method, **kwargs)
    except (ValueError, TypeError) as exc:
        raise RuleError(f"{where}: {exc}") from None
    return settings, chunks


def parse_rule(text: str) -> Rule:
    """``PATTERN:settings``.  The pattern ends at the first ``:`` followed by a setting
    (``key=`` or ``lossless``), so values such as ``device=cuda:0`` keep their colon."""
    for i, ch in enumerate(text):
        if ch == ":" and _SETTING.match(text[i + 1:]):
            pattern, settings_text = text[:i], text[i + 1:]
            break
    else:
        raise RuleError(f"rule {text!r}: expected PATTERN:key=value,... (e.g. '/entry/data/*:method=siren,psnr=45')")
    if not pattern:
        raise RuleError(f"rule {text!r}: empty pattern")
    settings, chunks = parse_settings(settings_text, f"rule {text!r}")
    return Rule(text, pattern, settings, chunks)


def default_rule(text: str) -> Rule:
    settings, chunks = parse_settings(text, f"default rule {text!r}")
    return Rule(text, "/**", settings, chunks, explicit=False)


@dataclass(frozen=True)
class Decision:
    """What happens to one dataset."""

    lossy: bool
    reason: str
    rule: Rule | None = None
    settings: EncodeSettings | None = None
    chunks: tuple[int, ...] | None = None


class RuleSet:
    """Rules in order, a default rule, and the lossless threshold."""

    def __init__(self, rules: list[Rule], default: Rule | None = None, min_lossy_bytes: int = 1024**2,
                 chunks: tuple[int, ...] | None = None):
        self.rules = list(rules)
        self.default = default
        self.min_lossy_bytes = int(min_lossy_bytes)
        self.chunks = chunks
        self.used: set[str] = set()

    @classmethod
    def parse(cls, rules: list[str] = (), default: str | None = None, min_lossy: str | int = "1MiB",
              chunks: str | tuple | None = None) -> "RuleSet":
        return cls([parse_rule(r) if isinstance(r, str) else r for r in rules],
                   default_rule(default) if default else None, parse_size(min_lossy),
                   parse_chunks(chunks) if chunks else None)

    def decide(self, paths: list[str], shape: tuple[int, ...], dtype: np.dtype, nbytes: int,
               scale: bool = False) -> Decision:
        """Decision for a dataset known by ``paths`` (its path, and paths that link to it);
        ``scale``: it is a dimension scale (a coordinate axis)."""
        rule = next((r for r in self.rules if any(r.matches(p) for p in paths)), None)
        if rule is not None:
            self.used.add(rule.text)
        else:
            rule = self.default
        if rule is None:
            return Decision(False, "no rule")
        if rule.settings is None:
            return Decision(False, f"rule {rule.text!r}", rule)
        if dtype.kind not in "fiu" or dtype.itemsize > 8:
            return Decision(False, f"{dtype} data", rule)
        if dtype.kind in "iu" and not rule.explicit:
            return Decision(False, "integer data needs an explicit rule", rule)
        if scale and not rule.explicit:
            return Decision(False, "a dimension scale (coordinates) needs an explicit rule", rule)
        if not 1 <= len(shape) <= 4:
            return Decision(False, f"{len(shape)}-d (inrfilter encodes 1-4 d)", rule)
        if nbytes < self.min_lossy_bytes:
            return Decision(False, f"smaller than -m {self.min_lossy_bytes} B", rule)
        if 0 in shape:
            return Decision(False, "empty", rule)
        chunks = rule.chunks or (self.chunks if self.chunks and len(self.chunks) == len(shape) else None)
        if chunks is not None and len(chunks) != len(shape):
            raise RuleError(f"rule {rule.text!r}: chunks {chunks} do not fit a {len(shape)}-d dataset ({paths[0]})")
        return Decision(True, f"rule {rule.text!r}" if rule.explicit else "default rule", rule, rule.settings, chunks)

    def unused(self) -> list[str]:
        """Explicit rules that matched no dataset."""
        return [r.text for r in self.rules if r.text not in self.used]

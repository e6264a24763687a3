"""Which encode pool is active in this process (no heavy imports: the encoder asks on
every call).

A pool is active between its ``__enter__`` and ``__exit__`` (or ``activate()`` and
``close()``).  Process-wide rather than per thread or per context, since the doors
encode on threads they start themselves (zarr's ``asyncio.to_thread``, HDF5's filter
callback on whatever thread writes).  Pools nest: the innermost one wins.
"""

from __future__ import annotations

import threading
from typing import Any

# Pools are typed Any here: this module is imported by the encoder, and the pool
# (inrfilter.pool.core) imports the encoder.
_lock = threading.Lock()
_stack: list[Any] = []


def active_pool() -> Any:
    """The pool every door routes encoding through now, or None (encode in-process)."""
    return _stack[-1] if _stack else None


def push(pool: Any) -> None:
    with _lock:
        _stack.append(pool)


def remove(pool: Any, every: bool = True) -> None:
    """Take ``pool`` off the stack: every entry of it, or its innermost one."""
    with _lock:
        for i in reversed(range(len(_stack))):
            if _stack[i] is pool:
                del _stack[i]
                if not every:
                    return

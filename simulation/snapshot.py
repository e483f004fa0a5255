"""Snapshots of a running engine (flow or discrete-event) as bytes, and engines restored
from them: a restored engine emits exactly the frames the original would have emitted.

A snapshot is a zlib-compressed pickle, so it is only for data this service wrote itself.
Tables that are pure functions of a few numbers (cache curves, Erlang C rows) are stored as
those numbers and recomputed on restore. The `on_frame` callback is not stored: it belongs
to whoever hosts the run, who sets it again on the restored engine.
"""

from __future__ import annotations

import io
import pickle
import zlib
from collections import OrderedDict
from typing import Any

import numpy as np

from simulation.des.engine import DesEngine
from simulation.flow import FlowEngine
from simulation.popularity import CacheCurves, cache_curves
from simulation.queueing import ErlangTable

MAGIC = b"scalelab-engine/1\n"  # a version, so that an old or foreign blob fails clearly
_LEVEL = 1  # zlib's fastest level: most of the gain (pickled float arrays), little time
_CALLBACK = "on_frame"


class SnapshotError(ValueError):
    """Bytes that are not an engine snapshot this version can read."""


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, callback: Any) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.callback = callback

    def persistent_id(self, obj: Any) -> str | None:
        # Identity, not equality: only the engine's own callback object is left out.
        if self.callback is not None and obj is self.callback:
            return _CALLBACK
        return None

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, CacheCurves) and obj.source:
            return cache_curves, obj.source
        if isinstance(obj, ErlangTable):
            return _erlang_table, (obj.server_counts(),)
        if type(obj) is OrderedDict and len(obj) > 64:
            return _cache_reduce(obj)
        return NotImplemented


def _erlang_table(counts: list[int]) -> ErlangTable:
    # A function, not the bound classmethod: Twisted (loaded by Channels) registers its own
    # pickling of bound methods, which cannot find a classmethod again.
    return ErlangTable.with_rows(counts)


def _cache_reduce(cache: OrderedDict) -> Any:
    """A DES cache (key -> insertion time, in eviction order) as two arrays: pickled in
    about half the time of item by item. Anything else pickles as usual."""
    keys, times = list(cache), list(cache.values())
    if not all(type(k) is int for k in keys) or not all(type(v) is float for v in times):
        return NotImplemented
    return _cache_from_arrays, (np.array(keys, dtype=np.int64), np.array(times))


def _cache_from_arrays(keys: np.ndarray, times: np.ndarray) -> OrderedDict:
    return OrderedDict(zip(keys.tolist(), times.tolist(), strict=True))


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> None:
        if pid != _CALLBACK:
            raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
        return None


def engine_snapshot(engine: FlowEngine | DesEngine) -> bytes:
    """The engine's whole state between two ticks, as bytes for `engine_restore`."""
    if not isinstance(engine, FlowEngine | DesEngine):
        raise TypeError(f"engine: expected a FlowEngine or DesEngine, got {type(engine).__name__}")
    buffer = io.BytesIO()
    _Pickler(buffer, engine.on_frame).dump(engine)
    return MAGIC + zlib.compress(buffer.getvalue(), _LEVEL)


def engine_restore(data: bytes) -> FlowEngine | DesEngine:
    """The engine a snapshot was taken of, ready to step on; its `on_frame` is None."""
    if not data.startswith(MAGIC):
        raise SnapshotError("not an engine snapshot (or one from an incompatible version)")
    try:
        raw = zlib.decompress(data[len(MAGIC) :])
    except zlib.error as exc:
        raise SnapshotError(f"engine snapshot is corrupt: {exc}") from None
    engine = _Unpickler(io.BytesIO(raw)).load()
    if not isinstance(engine, FlowEngine | DesEngine):
        raise SnapshotError(f"snapshot holds a {type(engine).__name__}, not an engine")
    return engine

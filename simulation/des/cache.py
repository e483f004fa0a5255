"""A cache of actual keys for the discrete-event engine: LRU or FIFO eviction, a TTL, and
deletions by writes that apply when the cache reaches their time."""

from __future__ import annotations

from collections import OrderedDict


def cache_get(
    cache: OrderedDict, invalid: dict, key: int, t: float, ttl: float, cap: int, lru: bool
) -> bool:
    """Look `key` up at time t in an LRU (or FIFO) cache of insertion times with a TTL; a miss
    inserts it, evicting the oldest. Deletions (writes) due by t apply first."""
    ins = cache.get(key)
    due = invalid.get(key)
    if due is not None and due[0] <= t:
        latest = due[0]
        while due and due[0] <= t:
            latest = due.pop(0)
        if not due:
            del invalid[key]
        if ins is not None and ins <= latest:
            del cache[key]
            ins = None
    if ins is not None and t - ins <= ttl:
        if lru:
            cache.move_to_end(key)
        return True
    if ins is not None:
        del cache[key]
    cache[key] = t
    if len(cache) > cap:
        cache.popitem(last=False)
    return False


def cache_get_many(
    cache: OrderedDict, invalid: dict, keys: list, times: list, ttl: float, cap: int, lru: bool
) -> list[bool]:
    """`cache_get` for requests in time order, the loop inlined (the fast path's hot spot)."""
    out = []
    get = cache.get
    touch = cache.move_to_end
    for key, t in zip(keys, times, strict=True):
        if invalid and key in invalid:
            out.append(cache_get(cache, invalid, key, t, ttl, cap, lru))
            continue
        ins = get(key)
        if ins is not None and t - ins <= ttl:
            if lru:
                touch(key)
            out.append(True)
            continue
        if ins is not None:
            del cache[key]
        cache[key] = t
        if len(cache) > cap:
            cache.popitem(last=False)
        out.append(False)
    return out

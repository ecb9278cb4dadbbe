"""Beat's heap, patched per entry: a replaced or removed entry's old events never come up."""

from __future__ import annotations

from types import SimpleNamespace

from syncer.beat.heap import DueHeap


def entry(generation: int) -> SimpleNamespace:
    return SimpleNamespace(generation=generation)


def test_the_earliest_live_event_comes_up_and_stale_ones_are_dropped():
    heap = DueHeap()
    entries = {"a": entry(1), "b": entry(2)}
    heap.push(10.0, "a", 1)
    heap.push(20.0, "b", 2)
    assert heap.top(entries) == (10.0, entries["a"])
    entries["a"] = entry(3)  # replaced (a reload): its old event is stale
    heap.push(30.0, "a", 3)
    assert heap.top(entries) == (20.0, entries["b"])
    del entries["b"]  # removed (deleted or disabled)
    assert heap.top(entries) == (30.0, entries["a"])
    heap.pop()
    assert heap.top(entries) is None


def test_compaction_keeps_the_heap_proportional_to_the_entries():
    heap = DueHeap()
    entries = {"a": entry(0)}
    for generation in range(1, 1000):  # a task changed 999 times
        entries["a"] = entry(generation)
        heap.push(float(generation), "a", generation)
        heap.compact(entries)
    assert len(heap) <= 2 * len(entries) + 64 + 1
    assert heap.top(entries) == (999.0, entries["a"])

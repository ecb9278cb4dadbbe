"""The loader's fast path (one pass over libyaml's events) against its full path (node tree, then
construction): the same values, types, marks and key marks for every document, or a fallback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from syncer.core.load import LoadError, LocDict
from syncer.core.load.fast import Fallback, load_fast
from syncer.core.load.full import load_full

MAX_NODES = 5_000_000

DATA = Path(__file__).resolve().parent.parent / "data"
FILES = sorted(p for p in DATA.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())

DOCUMENTS = [
    "",
    "# only a comment\n",
    "---\n",
    "just a scalar\n",
    "- a\n- 1\n- [x, {y: 2}]\n",
    "version: 1\ntasks:\n  a:\n    task: x\n    every: 3s\n    kwargs: {n: 1, f: 1.5, b: yes, z: ~, e: }\n",
    "a: 'quoted'\nb: \"yes\"\nc: |\n  block\nd: >\n  folded\n",
    "1: int key\ntrue: bool key\nnull: null key\n0x1F: hex\n1_000: underscores\n010: octal\n",
    "ts: 2026-01-01T00:00:00Z\nsexagesimal: 1:20\ninf: .inf\nnan_key: .NaN\n",
    "\ufeffbom: true\r\nwindows: lines\r\n",
    "flow: {a: [1, 2, {b: c}], d: []}\nempty: {}\n",
]
FALLBACKS = [
    "a: &x 1\nb: *x\n",  # anchors and aliases
    "a: !!str 1\n",  # explicit tag
    "base: &b {q: 1}\nt:\n  <<: *b\n",  # merge key
    "a: 1\na: 2\n",  # duplicate key
    "? [1, 2]\n: complex key\n",
    "---\na: 1\n---\nb: 2\n",  # two documents
    "a: [1, 2\n",  # syntax error
    "a: =\n",  # the value tag
    "[" * 150 + "]" * 150 + "\n",  # deeper than MAX_DEPTH
]


def same(fast: Any, full: Any) -> None:
    assert type(fast) is type(full), (fast, full)
    if isinstance(full, LocDict):
        assert fast.mark == full.mark
        assert fast.key_marks == full.key_marks
        assert list(fast) == list(full)
        for key in full:
            same(fast[key], full[key])
    elif isinstance(full, list):
        assert len(fast) == len(full)
        for a, b in zip(fast, full, strict=True):
            same(a, b)
    elif isinstance(full, float) and full != full:
        assert fast != fast  # NaN
    else:
        assert fast == full


@pytest.mark.parametrize("text", DOCUMENTS + [p.read_bytes() for p in FILES], ids=repr)
def test_the_fast_path_builds_what_the_full_path_builds(text: str | bytes) -> None:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            pytest.skip("not UTF-8: refused before either path")
    try:
        full = load_full(text, MAX_NODES)
    except LoadError:
        with pytest.raises(Fallback):
            load_fast(text)
        return
    try:
        fast = load_fast(text)
    except Fallback:
        return  # the full path serves it: nothing to compare
    same(fast[0], full[0])
    assert fast[1] == full[1]  # the same words read as booleans, at the same positions


@pytest.mark.parametrize("text", FALLBACKS, ids=repr)
def test_unusual_documents_fall_back_to_the_full_path(text: str) -> None:
    with pytest.raises(Fallback):
        load_fast(text)


def test_the_fast_path_serves_an_ordinary_schedule_file() -> None:
    text = (DATA / "valid" / "defaults").glob("*.yaml").__next__().read_text()
    same(load_fast(text)[0], load_full(text, MAX_NODES)[0])


def test_both_paths_record_plain_words_read_as_booleans() -> None:
    text = "a: [NO, 'no', true, off]\nb: {x: Yes, y: \"on\", z: False}\n"
    expected = [(1, 5, "NO"), (1, 21, "off"), (2, 8, "Yes")]
    assert load_fast(text)[1] == expected
    assert load_full(text, MAX_NODES)[1] == expected
    aliased = "a: &w no\nb: *w\n"  # the full path (an alias): the word where it is written
    assert load_full(aliased, MAX_NODES)[1] == [(1, 4, "no")]

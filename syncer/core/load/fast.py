"""The fast path of the loader: the common document in one pass over libyaml's events.

Most schedule files are plain block mappings: no anchors, no tags, no merge keys. Built straight
from the event stream (no node tree, no second walk), with the same resolver and constructors as
the full path (``syncer.core.load.full``), so the same values and marks, at a fraction of its cost.
Anything unusual raises ``Fallback`` and the full path parses the file again.
"""

from __future__ import annotations

from typing import Any

import yaml

from syncer.core.gc_pause import gc_paused
from syncer.core.load.document import LocDict
from syncer.core.load.yaml_loader import MAX_DEPTH, TRUE_FALSE, BoolWord, Loader


class Fallback(Exception):
    """The fast path met something it leaves to the full loader."""


_STR_TAG = "tag:yaml.org,2002:str"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float"))
_plain_values: dict[str, Any] = {}  # plain scalar text -> its value (immutable); shared by files


def load_fast(text: str) -> tuple[Any, list[BoolWord]]:
    """The common document in one pass over libyaml's events, with no node tree and no second
    walk: the same parser, resolver and constructors, so the same values and the same marks as
    ``_load_full``, at a fraction of its cost.

    Anything unusual (an anchor or alias, an explicit tag, a merge key, a duplicate or complex
    key, deep nesting, more than one document, a syntax error) raises ``Fallback``, and the full
    path parses the file again: it handles the rare cases and words the errors. The garbage
    collector is paused meanwhile: the trees built here hold no cycles, and its passes over
    thousands of young dicts cost more than the parse.
    """
    loader = Loader(text)
    try:
        with gc_paused():
            return _build_from_events(loader), loader.bool_words
    except (yaml.YAMLError, ValueError):
        raise Fallback from None
    finally:
        loader.dispose()


def _build_from_events(loader: Loader) -> Any:  # noqa: C901 - one flat loop on purpose
    # The hot loop of loading (10,000 tasks: ~200,000 events): a call per event to smaller
    # functions would cost a tenth of the load time, so its branches stay inline.
    get_event = loader.get_event
    scalar_event, mapping_start, mapping_end = (
        yaml.ScalarEvent,
        yaml.MappingStartEvent,
        yaml.MappingEndEvent,
    )
    sequence_start, sequence_end = yaml.SequenceStartEvent, yaml.SequenceEndEvent
    plain_values, plain_value = _plain_values, _plain_value
    no_key = Fallback  # a sentinel no key can equal
    get_event()  # StreamStart
    event: Any = get_event()  # libyaml's events, checked by their exact type below
    if type(event) is yaml.StreamEndEvent:
        return None
    if type(event) is not yaml.DocumentStartEvent:
        raise Fallback
    # The container being filled, its parents, and for mappings the key waiting for its value.
    current: Any = None
    parents: list[tuple[Any, Any, Any]] = []
    key: Any = no_key
    key_mark: Any = None
    root: Any = no_key
    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar_event:
            if event.anchor is not None or event.tag is not None:
                raise Fallback
            value = event.value
            if event.implicit[0]:  # plain: resolved as the full loader does
                value = plain_values[value] if value in plain_values else plain_value(loader, event)
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or event.tag is not None or len(parents) >= MAX_DEPTH:
                raise Fallback
            if current.__class__ is LocDict and key is no_key:
                raise Fallback  # a mapping or a sequence as a key
            parents.append((current, key, key_mark))
            if kind is mapping_start:
                current = LocDict()
                mark = event.start_mark
                current.mark = (mark.line + 1, mark.column + 1)
            else:
                current = []
            key = no_key
            continue
        elif kind is mapping_end or kind is sequence_end:
            value = current
            current, key, key_mark = parents.pop()
        elif kind is yaml.DocumentEndEvent:
            if type(get_event()) is not yaml.StreamEndEvent:
                raise Fallback  # a second document
            return None if root is no_key else root
        else:  # an alias
            raise Fallback
        # Place the value: in its mapping (as a key, or as the value of the waiting key), in its
        # sequence, or as the document.
        if current.__class__ is LocDict:
            if key is no_key:
                if value in current:
                    raise Fallback  # a duplicate key: the full path names both lines
                key, key_mark = value, event.start_mark
                continue
            current[key] = value
            current.key_marks[key] = (key_mark.line + 1, key_mark.column + 1)
            key = no_key
        elif current is None:
            root = value
        else:
            current.append(value)


def _plain_value(loader: Loader, event: Any) -> Any:
    """A plain scalar that is not in the cache yet: resolved and constructed, then cached, except
    a word YAML 1.1 reads as a boolean (``NO``), which is recorded with its position at every
    occurrence (so it stays out of the cache, and the hot loop has nothing to check)."""
    text = event.value
    tag = loader.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    if tag == _STR_TAG:
        value: Any = text
    elif tag in _PLAIN_TAGS:
        node = yaml.ScalarNode(tag, text)  # no mark: the constructor records nothing
        value = loader.yaml_constructors[tag](loader, node)
    else:
        raise Fallback  # a merge key, `=`...: the full path
    if tag == _BOOL_TAG and text not in TRUE_FALSE:
        mark = event.start_mark
        loader.bool_words.append((mark.line + 1, mark.column + 1, text))
    elif len(_plain_values) < 100_000:
        _plain_values[text] = value
    return value

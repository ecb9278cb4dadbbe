"""PyYAML's safe loader (libyaml's C parser when available), with a line:column on every mapping
key, duplicate keys as errors, and timestamps left as strings (pydantic parses them and can
insist on an offset). Shared by the fast path and the full path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from syncer.core.load.document import LoadError, LocDict

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment, unused-ignore]


# A plain scalar resolved to a boolean from another word than these (YAML 1.1's yes/no/on/off:
# `text: NO` is false) is recorded with its position, for a lint.
TRUE_FALSE = frozenset(("true", "True", "TRUE", "false", "False", "FALSE"))
BoolWord = tuple[int, int, str]  # (line, column, the word as written)

MAX_DEPTH = 100  # mappings and sequences nested in one another; a schedule needs fewer than 10


def mark_of(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class Loader(_BaseLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.bool_words: list[BoolWord] = []

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool:
        value: bool = super().construct_yaml_bool(node)
        # plain: style None (Python composer) or "" (libyaml's)
        if node.start_mark is not None and not node.style and node.value not in TRUE_FALSE:
            self.bool_words.append((*mark_of(node), node.value))
        return value

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def construct_loc_map(self, node: yaml.MappingNode) -> Iterator[LocDict]:
        data = LocDict()
        data.mark = mark_of(node)
        yield data
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                line, col = mark_of(key_node)
                raise LoadError("a mapping key must be a plain value", line, col) from None
            if key in seen:
                line, col = mark_of(key_node)
                first = mark_of(seen[key])[0]
                raise LoadError(f"duplicate key {key!r} (first defined on line {first})", line, col)
            seen[key] = key_node
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            data[key] = self.construct_object(value_node, deep=True)
            data.key_marks[key] = mark_of(key_node)


Loader.add_constructor("tag:yaml.org,2002:map", Loader.construct_loc_map)
Loader.add_constructor("tag:yaml.org,2002:bool", Loader.construct_yaml_bool)

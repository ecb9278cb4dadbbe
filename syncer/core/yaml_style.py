"""How exported files look: flow mappings and lists (``{path: x}``, ``[1, 2]``), a double-quoted
cron expression, literal blocks for text of several lines, hidden characters as escapes. Markers
for ``yaml.dump``."""

from __future__ import annotations

import re
from typing import Any

import yaml

from syncer.core.escape import HIDDEN_RE


class Flow(dict[str, Any]):
    """A mapping written in flow style: ``{path: x, text: y}``."""


class FlowList(list[Any]):
    """A sequence written in flow style: ``[1, 2]``."""


class Quoted(str):
    """A string written in double quotes (a cron expression reads better so)."""

    __slots__ = ()


class Dumper(yaml.SafeDumper):  # type: ignore[misc,unused-ignore]
    def represent_str(self, data: str) -> yaml.ScalarNode:
        # Several lines: a literal block (``|``) when YAML allows it, else quoted with escapes.
        # NEL, LS, PS and CR: PyYAML would fold them into spaces unless they are escaped.
        # A literal block only for plain text: one that ends in blank lines would need "keep"
        # chomping, after which PyYAML ends the whole document ("...").
        # A hidden character (a control, a bidirectional override, a zero-width space): quoted,
        # and escaped by ``visible_escapes`` where PyYAML writes it as it is (it escapes only
        # what YAML cannot hold; a reviewer of the file would not see the others).
        if (
            isinstance(data, Quoted)
            or any(c in data for c in "\x85\u2028\u2029\r")
            or HIDDEN_RE.search(data)
        ):
            style: str | None = '"'
        elif "\n" in data:
            literal = data.strip() and data[0] not in " \t\n" and not data.endswith("\n\n")
            style = "|" if literal else '"'
        else:
            style = None
        return self.represent_scalar("tag:yaml.org,2002:str", data, style=style)


Dumper.add_representer(str, Dumper.represent_str)
Dumper.add_representer(Quoted, Dumper.represent_str)
Dumper.add_representer(
    Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v.items(), flow_style=True)
)
Dumper.add_representer(
    FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)


def _yaml_escape(match: re.Match[str]) -> str:
    point = ord(match.group())
    return f"\\u{point:04X}" if point <= 0xFFFF else f"\\U{point:08X}"


def visible_escapes(text: str) -> str:
    """A document dumped with ``Dumper``, with each hidden character PyYAML left as it is written
    as a YAML escape. Every string holding one is double-quoted (``represent_str``), where
    ``\\uXXXX`` reads back as the character: the document means the same."""
    return _HIDDEN_BUT_LINE_BREAKS.sub(_yaml_escape, text)


# The document's own line breaks stay; one inside a string is already written ``\\n``.
_HIDDEN_BUT_LINE_BREAKS = re.compile(f"(?!\n){HIDDEN_RE.pattern}")

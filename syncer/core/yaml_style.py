"""How exported files look: flow mappings and lists (``{path: x}``, ``[1, 2]``), a double-quoted
cron expression, literal blocks for text of several lines. Markers for ``yaml.dump``."""

from __future__ import annotations

from typing import Any

import yaml


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
        if isinstance(data, Quoted) or any(c in data for c in "\x85\u2028\u2029\r"):
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

"""``${VAR}`` and ``${VAR:-default}`` in string values, from the environment only, so one set of
files can serve several environments. Keys (task names) are never interpolated.

``${VAR}``: the variable's value; unset is an error (with its file position).
``${VAR:-default}``: the default when the variable is unset or empty; ``${VAR-default}``: unset.
``$$`` is a literal ``$``. The result is always a string: interpolation never changes a type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from syncer.core.errors import Location, Problem
from syncer.core.load import LocDict

_PATTERN = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}")


def expand_document(data: Any, path: str, environ: Mapping[str, str]) -> tuple[Any, list[Problem]]:
    """A copy of ``data`` with every string value expanded, and a problem per missing variable."""
    problems: list[Problem] = []
    return _expand(data, (), path, environ, problems, (0, 0)), problems


def _expand(
    node: Any,
    trail: tuple[Any, ...],
    path: str,
    environ: Mapping[str, str],
    problems: list[Problem],
    mark: tuple[int, int],
) -> Any:
    if isinstance(node, str):
        return _expand_string(node, trail, path, environ, problems, mark) if "$" in node else node
    if isinstance(node, LocDict):
        copy = LocDict()
        copy.mark, copy.key_marks = node.mark, node.key_marks
        for key, value in node.items():
            copy[key] = _expand(
                value, (*trail, key), path, environ, problems, node.key_marks.get(key, node.mark)
            )
        return copy
    if isinstance(node, list):
        return [
            _expand(item, (*trail, i), path, environ, problems, mark) for i, item in enumerate(node)
        ]
    return node


def _expand_string(
    text: str,
    trail: tuple[Any, ...],
    path: str,
    environ: Mapping[str, str],
    problems: list[Problem],
    mark: tuple[int, int],
) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, colon, default = match.group(1), match.group(2), match.group(3)
        value = environ.get(name)
        if default is not None and (value is None or (colon and value == "")):
            return default
        if value is None:
            task, field = _describe(trail)
            problems.append(
                Problem(
                    Location(path, *mark),
                    f"environment variable {name!r} is not set "
                    f"(set it, or write ${{{name}:-default}})",
                    task=task,
                    field=field,
                )
            )
            return match.group(0)
        return value

    return _PATTERN.sub(replace, text)


def _describe(trail: tuple[Any, ...]) -> tuple[str | None, str | None]:
    if len(trail) >= 2 and trail[0] == "tasks":
        return str(trail[1]), ".".join(str(p) for p in trail[2:]) or None
    return None, ".".join(str(p) for p in trail) or None

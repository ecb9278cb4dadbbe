"""``${VAR}`` and ``${VAR:-default}`` in string values, from the environment only, so one set of
files can serve several environments. Keys (task names) are never interpolated.

``${VAR}``: the variable's value; unset is an error (with its file position).
``${VAR:-default}``: the default when the variable is unset or empty; ``${VAR-default}``: unset.
``$$`` is a literal ``$``. A reference that does not close (``${Q``) or names no variable
(``${1X}``, ``${A B}``) is an error, never left in the value as text.

Types: a value that is exactly one reference takes the type of its key when that key is an
integer or a boolean (``priority: ${PRIO:-5}`` is 5; ``enabled: ${ON:-true}`` is true, spelled
true/false, yes/no or on/off in any case); any other value, or text around a reference, stays a
string. The typed keys are read from the format's models, so they follow the format.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Union, get_args, get_origin

from syncer.core.errors import Location, Problem
from syncer.core.load import LocDict
from syncer.core.spec import TaskBase

# `$$`, a closed reference (its inside checked below), or a `${` that never closes.
_TOKEN = re.compile(r"\$\$|\$\{([^}]*)\}|\$\{")
_INSIDE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-(.*))?", re.DOTALL)
_WHOLE = re.compile(r"\$\{[^}]*\}")
_BOOLEANS = {
    **dict.fromkeys(("true", "yes", "on"), True),
    **dict.fromkeys(("false", "no", "off"), False),
}


def _integer(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError("is not an integer") from None


def _boolean(text: str) -> bool:
    value = _BOOLEANS.get(text.strip().lower())
    if value is None:
        raise ValueError("is not a boolean (true/false, yes/no, on/off)")
    return value


_CONVERTERS: dict[type, Callable[[str], Any]] = {bool: _boolean, int: _integer}


def _scalar_type(annotation: Any) -> type | None:
    """``int`` for ``int | None``, ``bool`` for ``bool | None``; None for anything else."""
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        annotation = members[0] if len(members) == 1 else None
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation if annotation in _CONVERTERS else None


# The keys of a task (or of defaults) whose value is an integer or a boolean.
TYPED_KEYS: dict[str, Callable[[str], Any]] = {
    name: _CONVERTERS[kind]
    for name, field in TaskBase.model_fields.items()
    if (kind := _scalar_type(field.annotation)) is not None
}


def expand_document(data: Any, path: str, environ: Mapping[str, str]) -> tuple[Any, list[Problem]]:
    """A copy of ``data`` with every string value expanded, and a problem per missing variable
    or malformed reference."""
    problems: list[Problem] = []
    return _Expansion(path, environ, problems).node(data, (), (0, 0)), problems


class _Expansion:
    def __init__(self, path: str, environ: Mapping[str, str], problems: list[Problem]) -> None:
        self.path, self.environ, self.problems = path, environ, problems

    def node(self, node: Any, trail: tuple[Any, ...], mark: tuple[int, int]) -> Any:
        if isinstance(node, str):
            return self.string(node, trail, mark) if "$" in node else node
        if isinstance(node, LocDict):
            copy = LocDict()
            copy.mark, copy.key_marks = node.mark, node.key_marks
            for key, value in node.items():
                copy[key] = self.node(value, (*trail, key), node.key_marks.get(key, node.mark))
            return copy
        if isinstance(node, list):
            return [self.node(item, (*trail, i), mark) for i, item in enumerate(node)]
        return node

    def string(self, text: str, trail: tuple[Any, ...], mark: tuple[int, int]) -> Any:
        expanded = _TOKEN.sub(lambda match: self.replace(match, trail, mark), text)
        convert = _typed_key(trail)
        if convert is None or not _WHOLE.fullmatch(text) or expanded == text:
            return expanded
        try:
            return convert(expanded)
        except ValueError as exc:
            self.problem(trail, mark, f"{expanded!r} (from {text}) {exc}")
            return expanded

    def replace(self, match: re.Match[str], trail: tuple[Any, ...], mark: tuple[int, int]) -> str:
        token = match.group(0)
        if token == "$$":
            return "$"
        inside = match.group(1)
        if inside is None:
            self.problem(trail, mark, "'${' is not closed (write $${ for a literal '${')")
            return token
        parts = _INSIDE.fullmatch(inside)
        if parts is None:
            self.problem(
                trail,
                mark,
                f"{token!r}: not a variable name (letters, digits and _, not starting with a "
                "digit; write $${ for a literal '${')",
            )
            return token
        name, colon, default = parts.groups()
        value = self.environ.get(name)
        if default is not None and (value is None or (colon and value == "")):
            return str(default)
        if value is None:
            message = (
                f"environment variable {name!r} is not set (set it, or write ${{{name}:-default}})"
            )
            self.problem(trail, mark, message)
            return token
        return value

    def problem(self, trail: tuple[Any, ...], mark: tuple[int, int], message: str) -> None:
        task, field = _describe(trail)
        self.problems.append(Problem(Location(self.path, *mark), message, task=task, field=field))


def _typed_key(trail: tuple[Any, ...]) -> Callable[[str], Any] | None:
    """The converter of a task's (or the defaults') own key, if its value is typed."""
    own_key = (len(trail) == 3 and trail[0] == "tasks") or (
        len(trail) == 2 and trail[0] == "defaults"
    )
    if own_key:
        return TYPED_KEYS.get(trail[-1]) if isinstance(trail[-1], str) else None
    return None


def _describe(trail: tuple[Any, ...]) -> tuple[str | None, str | None]:
    if len(trail) >= 2 and trail[0] == "tasks":
        return str(trail[1]), ".".join(str(p) for p in trail[2:]) or None
    return None, ".".join(str(p) for p in trail) or None

"""Read schedule files: safe YAML with a line:column on every mapping key, duplicate keys as errors.

PyYAML's C parser (libyaml) when available; only the safe constructors, so a tag such as
``!!python/object/apply`` is an error, never an object. Timestamps stay strings (pydantic parses
them and can insist on an offset). Aliases are allowed, but a document whose aliases would expand
past a limit (the "billion laughs") is refused before anything is built from it.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from syncer.core.errors import Location, Problem

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment, unused-ignore]

MAX_FILE_BYTES = int(os.environ.get("SYNCER_MAX_FILE_BYTES", 10 * 1024 * 1024))
MAX_NODES = int(os.environ.get("SYNCER_MAX_YAML_NODES", 5_000_000))
MAX_DEPTH = 100  # mappings and sequences nested in one another; a schedule needs fewer than 10
SUFFIXES = (".yaml", ".yml")


class LocDict(dict[Any, Any]):
    """A mapping that remembers where it and each of its keys stand in the file."""

    __slots__ = ("key_marks", "mark")

    def __init__(self) -> None:
        super().__init__()
        self.mark: tuple[int, int] = (0, 0)
        self.key_marks: dict[Any, tuple[int, int]] = {}


class LoadError(Exception):
    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Loader(_BaseLoader):  # type: ignore[misc]
    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
    }

    def construct_loc_map(self, node: yaml.MappingNode) -> Iterator[LocDict]:
        data = LocDict()
        data.mark = _mark(node)
        yield data
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                line, col = _mark(key_node)
                raise LoadError("a mapping key must be a plain value", line, col) from None
            if key in seen:
                line, col = _mark(key_node)
                first = _mark(seen[key])[0]
                raise LoadError(f"duplicate key {key!r} (first defined on line {first})", line, col)
            seen[key] = key_node
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            data[key] = self.construct_object(value_node, deep=True)
            data.key_marks[key] = _mark(key_node)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_loc_map)


@dataclass
class SourceFile:
    path: str
    data: Any
    text_lines: int = 0
    has_dollar: bool = True  # False: no ${VAR} to expand, skip the walk


@dataclass
class LoadResult:
    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[Problem]]:
    """The schedule files under ``paths`` (recursive, sorted), and problems (a missing path...)."""
    found: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(_walk(path, problems))
        elif path.is_file():
            found.append(path)
        elif path.is_symlink():
            problems.append(Problem(Location(str(path)), "broken or looping symbolic link"))
        else:
            problems.append(Problem(Location(str(path)), "no such file or directory"))
    unique = sorted(dict.fromkeys(found), key=lambda p: str(p))
    return unique, problems


def _walk(root: Path, problems: list[Problem]) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith(SUFFIXES):
                continue
            candidate = Path(dirpath) / name
            if candidate.is_file():
                yield candidate
            else:
                problems.append(
                    Problem(
                        Location(str(candidate)), "not a regular file (broken or looping link?)"
                    )
                )
        for name in dirnames:
            candidate = Path(dirpath) / name
            if name.endswith(SUFFIXES):
                problems.append(
                    Problem(Location(str(candidate)), "is a directory, not a schedule file")
                )


def load_text(path: str, content: bytes) -> Any:
    """Parse one document; raise LoadError with a line and column."""
    if len(content) > MAX_FILE_BYTES:
        raise LoadError(_too_large(len(content)))
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise LoadError(f"not valid UTF-8 (byte {exc.start})", line) from None
    try:
        data = _load_fast(text)
    except _Fallback:
        # Anchors, tags, merge keys, duplicates, a syntax error...: the full path says why.
        data = _load_full(text)
    if "\\" in text:  # a NUL comes only from an escape in a double-quoted scalar
        _check_nul(data)
    return data


def _check_nul(data: Any) -> None:
    """PostgreSQL stores no NUL character, in text or JSON, and ``"\\0"``, ``"\\x00"`` or
    ``"\\u0000"`` put one in a string: refuse it here, with its position, rather than as a
    database error in the middle of an apply (``validate`` would have passed)."""
    stack: list[tuple[Any, tuple[int, int]]] = [(data, (1, 1))]
    seen: set[int] = set()
    while stack:
        value, mark = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise LoadError(
                    f"{value[:40]!r} contains a NUL character (\\0), which the database cannot "
                    "store",
                    *mark,
                )
        elif isinstance(value, dict | list) and id(value) not in seen:
            seen.add(id(value))
            if isinstance(value, LocDict):
                for key, item in reversed(value.items()):  # reversed: the first in the file wins
                    where = value.key_marks.get(key, value.mark)
                    stack.extend(((item, where), (key, where)))
            else:
                stack.extend((item, mark) for item in reversed(value))


def _load_full(text: str) -> Any:
    """Compose the node tree, check it, then construct it: every feature, every error."""
    loader = _Loader(text)
    try:
        _check_depth(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = _marked_message(exc, text)
        if mark is None:
            raise LoadError(message) from None
        raise LoadError(message, mark.line + 1, mark.column + 1) from None
    except yaml.reader.ReaderError as exc:
        # Its own text spans two lines and names no line; locate the character instead.
        index = max(text.find(chr(exc.character)), 0) if isinstance(exc.character, int) else 0
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        raise LoadError(
            f"unacceptable character U+{exc.character:04X}: {exc.reason}"
            if isinstance(exc.character, int)
            else str(exc.reason),
            line,
            column,
        ) from None
    except yaml.YAMLError as exc:
        raise LoadError(str(exc)) from None
    except RecursionError:
        raise LoadError("document is nested too deeply") from None
    finally:
        loader.dispose()


class _Fallback(Exception):
    """The fast path met something it leaves to the full loader."""


_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float"))
_plain_values: dict[str, Any] = {}  # plain scalar text -> its value (immutable); shared by files


def _load_fast(text: str) -> Any:
    """The common document in one pass over libyaml's events, with no node tree and no second
    walk: the same parser, resolver and constructors, so the same values and the same marks as
    ``_load_full``, at a fraction of its cost.

    Anything unusual (an anchor or alias, an explicit tag, a merge key, a duplicate or complex
    key, deep nesting, more than one document, a syntax error) raises ``_Fallback``, and the full
    path parses the file again: it handles the rare cases and words the errors. The garbage
    collector is paused meanwhile: the trees built here hold no cycles, and its passes over
    thousands of young dicts cost more than the parse.
    """
    paused = gc.isenabled()
    gc.disable()
    loader = _Loader(text)
    try:
        return _build_from_events(loader)
    except (yaml.YAMLError, ValueError):
        raise _Fallback from None
    finally:
        loader.dispose()
        if paused:
            gc.enable()


def _build_from_events(loader: _Loader) -> Any:
    get_event = loader.get_event
    scalar_event, mapping_start, mapping_end = (
        yaml.ScalarEvent,
        yaml.MappingStartEvent,
        yaml.MappingEndEvent,
    )
    sequence_start, sequence_end = yaml.SequenceStartEvent, yaml.SequenceEndEvent
    plain_values, plain_value = _plain_values, _plain_value
    no_key = _Fallback  # a sentinel no key can equal
    get_event()  # StreamStart
    event = get_event()
    if type(event) is yaml.StreamEndEvent:
        return None
    if type(event) is not yaml.DocumentStartEvent:
        raise _Fallback
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
                raise _Fallback
            value = event.value
            if event.implicit[0]:  # plain: resolved as the full loader does
                value = plain_values[value] if value in plain_values else plain_value(loader, value)
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or event.tag is not None or len(parents) >= MAX_DEPTH:
                raise _Fallback
            if current.__class__ is LocDict and key is no_key:
                raise _Fallback  # a mapping or a sequence as a key
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
                raise _Fallback  # a second document
            return None if root is no_key else root
        else:  # an alias
            raise _Fallback
        # Place the value: in its mapping (as a key, or as the value of the waiting key), in its
        # sequence, or as the document.
        if current.__class__ is LocDict:
            if key is no_key:
                if value in current:
                    raise _Fallback  # a duplicate key: the full path names both lines
                key, key_mark = value, event.start_mark
                continue
            current[key] = value
            current.key_marks[key] = (key_mark.line + 1, key_mark.column + 1)
            key = no_key
        elif current is None:
            root = value
        else:
            current.append(value)


def _plain_value(loader: _Loader, text: str) -> Any:
    tag = loader.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR_TAG:
        value: Any = text
    elif tag in _PLAIN_TAGS:
        value = loader.yaml_constructors[tag](loader, yaml.ScalarNode(tag, text))
    else:
        raise _Fallback  # a merge key, `=`...: the full path
    if len(_plain_values) < 100_000:
        _plain_values[text] = value
    return value


def _too_large(size: int) -> str:
    return (
        f"file is {size} bytes, larger than the limit of {MAX_FILE_BYTES} (SYNCER_MAX_FILE_BYTES)"
    )


def _marked_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    """PyYAML's context and problem on one line, with where an unclosed construct began and a
    word about tabs, which YAML never accepts as indentation."""
    context, problem, mark = exc.context, exc.problem, exc.problem_mark
    start = exc.context_mark
    if str(context).startswith("while ") and start and mark and start.line != mark.line:
        context = f"{context} (from line {start.line + 1}, column {start.column + 1})"
    message = " ".join(str(part) for part in (context, problem) if part)
    if mark is not None and "tab" not in message:
        lines = text.split("\n")
        if mark.line < len(lines) and lines[mark.line][mark.column : mark.column + 1] == "\t":
            message += " (a tab: YAML indents with spaces only)"
    return message


def _check_depth(text: str) -> None:
    """Refuse documents nested more than MAX_DEPTH levels, before composing them: libyaml composes
    nodes recursively in C, and some 30,000 levels (``[[[[...``, 60 KB) crash the process with a
    segmentation fault before Python could raise RecursionError. The event stream is flat."""
    events = _Loader(text)
    depth = 0
    try:
        while events.check_event():
            event = events.get_event()
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line, column = event.start_mark.line + 1, event.start_mark.column + 1
                    raise LoadError(f"nested more than {MAX_DEPTH} levels deep", line, column)
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    finally:
        events.dispose()


def _check_expansion(root: yaml.Node) -> None:
    """Refuse documents whose aliases expand to more than MAX_NODES nodes (alias bombs)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in sizes and not done:
            continue
        children = _children(node)
        if not done:
            sizes[key] = -1  # in progress: a cycle sees it and counts it once
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        total = 1 + sum(max(sizes.get(id(child), 1), 1) for child in children)
        if total > MAX_NODES:
            line, col = _mark(node)
            raise LoadError(
                f"document expands to more than {MAX_NODES} nodes through aliases "
                "(SYNCER_MAX_YAML_NODES)",
                line,
                col,
            )
        sizes[key] = total


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def read_file(path: Path) -> bytes | Problem:
    """A file's bytes, never more than the limit (+1 byte to notice) in memory, or a problem."""
    name = str(path)
    try:
        with path.open("rb") as handle:
            content = handle.read(MAX_FILE_BYTES + 1)
            size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        return Problem(Location(name), f"cannot read: {exc.strerror or exc}")
    if len(content) > MAX_FILE_BYTES:
        return Problem(Location(name), _too_large(max(size, len(content))))
    return content


def parse_file(name: str, content: bytes) -> SourceFile | Problem:
    try:
        data = load_text(name, content)
    except LoadError as exc:
        return Problem(Location(name, exc.line, exc.column), str(exc))
    return SourceFile(name, data, content.count(b"\n") + 1, b"$" in content)


def load_files(paths: Iterable[Path]) -> LoadResult:
    result = LoadResult()
    for path in paths:
        content = read_file(path)
        parsed = content if isinstance(content, Problem) else parse_file(str(path), content)
        if isinstance(parsed, Problem):
            result.problems.append(parsed)
        else:
            result.files.append(parsed)
    return result

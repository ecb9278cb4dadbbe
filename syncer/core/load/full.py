"""The full path of the loader: compose the node tree, check it, then construct it.

Every YAML feature (anchors, aliases, merge keys, tags) and every error with its line and column.
Two guards run before anything is built: nesting deeper than ``MAX_DEPTH`` (libyaml composes
recursively in C and crashes the process on deep input) and aliases that expand past the node
limit (alias bombs).
"""

from __future__ import annotations

from typing import Any

import yaml

from syncer.core.load.document import LoadError
from syncer.core.load.yaml_loader import MAX_DEPTH, BoolWord, Loader, mark_of


def load_full(text: str, max_nodes: int) -> tuple[Any, list[BoolWord]]:
    """Compose the node tree, check it, then construct it: every feature, every error."""
    loader = Loader(text)
    try:
        _check_depth(text)
        node = loader.get_single_node()
        if node is None:
            return None, []
        _check_expansion(node, max_nodes)
        return loader.construct_document(node), loader.bool_words
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
    events = Loader(text)
    depth = 0
    try:
        while events.check_event():
            event: Any = events.get_event()
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark: Any = event.start_mark
                    line, column = mark.line + 1, mark.column + 1
                    raise LoadError(f"nested more than {MAX_DEPTH} levels deep", line, column)
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    finally:
        events.dispose()


def _check_expansion(root: yaml.Node, max_nodes: int) -> None:
    """Refuse documents whose aliases expand to more than max_nodes nodes (alias bombs)."""
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
        if total > max_nodes:
            line, col = mark_of(node)
            raise LoadError(
                f"document expands to more than {max_nodes} nodes through aliases "
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

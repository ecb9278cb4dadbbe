"""Plans and problems as text (for people, optionally colored), Markdown (a job summary, a pull
request comment) or JSON (for CI). Pure.

Every string that comes from a file or a row goes through ``syncer.core.escape.escape`` on its
way into text: a control, bidirectional or invisible character is shown as an escape, never
sent to the terminal; colors come from here only. The JSON forms keep every string exact
(``json.dumps`` escapes all but printable ASCII).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import groupby

from syncer.core.errors import Problem
from syncer.core.escape import escape, escape_lines
from syncer.core.plan import Action, Change, Plan
from syncer.core.preview import ChangePreview
from syncer.core.state import COMPARED_FIELDS, DEFAULTS
from syncer.core.words import plural

_SYMBOL = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.RENAME: ">",
    Action.ADOPT: "<",
    Action.TAKE_OVER: "<<",
    Action.DELETE: "-",
}
_COLOR = {
    Action.CREATE: "32",
    Action.UPDATE: "33",
    Action.RENAME: "36",
    Action.ADOPT: "35",
    Action.TAKE_OVER: "34",
    Action.DELETE: "31",
}
# Rows of other scopes listed in a text plan, per scope (all of them are in the JSON plan).
OTHERS_SHOWN = 10


def _head(action: Action) -> str:
    """The symbol and the action that start a change's first line (the part in colour)."""
    return f"{_SYMBOL[action]} {action:<6}"


def _paint(text: str, code: str) -> str:
    return f"\033[{code}m{text}\033[0m"


Previews = Mapping[str, ChangePreview]


# queue -> (its busiest minute's runs before the apply, after it)
Load = Mapping[str, tuple[int, int]]


def plan_text(
    plan: Plan,
    *,
    color: bool = False,
    previews: Previews | None = None,
    load: Load | None = None,
) -> str:
    return "".join(plan_text_parts(plan, color=color, previews=previews, load=load))


# Changes per part of ``plan_text_parts``.
PART_CHANGES = 1000


def plan_text_parts(
    plan: Plan,
    *,
    color: bool = False,
    previews: Previews | None = None,
    load: Load | None = None,
) -> Iterator[str]:
    """``plan_text`` in parts of whole lines, each ending with its line break, to be written as
    they are made: the text of 100,000 changes (1.2 million lines) is never held at once."""
    for start in range(0, len(plan.changes), PART_CHANGES):
        lines: list[str] = []
        titles: list[tuple[int, Action]] = []  # the line of each change's symbol, to color
        for change in plan.changes[start : start + PART_CHANGES]:
            titles.append((len(lines), change.action))
            lines.extend(_change_lines(change))
            preview = (previews or {}).get(change.name)
            if preview is not None:
                lines.extend(_preview_lines(change, preview))
        lines = escape_lines(lines)  # before the colors: theirs are the only escape codes
        if color:
            for index, action in titles:
                line, end = lines[index], 2 + len(_head(action))
                lines[index] = f"{line[:2]}{_paint(line[2:end], _COLOR[action])}{line[end:]}"
        yield "\n".join(lines) + "\n"
    lines = [] if plan.changes else ["No changes. The schedule tables match the files."]
    lines.extend(escape_lines(others_lines(plan)))
    lines.extend(escape_lines(pause_lines(plan)))
    lines.extend(escape_lines(load_lines(load)))
    immediate = at_once(previews)
    if immediate:
        shown = ", ".join(immediate[:10]) + (", ..." if len(immediate) > 10 else "")
        counted = plural(len(immediate), "task")
        lines.extend(escape_lines([f"{counted} will run AT ONCE after the apply: {shown}"]))
    lines.append("")
    lines.append(summary_line(plan))
    refusal = plan.refusal()
    if refusal is not None:
        label = "Apply will refuse this plan: "
        lines.append(
            (_paint(label, "1;31") if color else label)
            + f"{refusal.reason}. After review, apply it with {refusal.override}."
        )
    yield "\n".join(lines) + "\n"


def summary_line(plan: Plan) -> str:
    """The counts; take-overs and other scopes' rows only when there are any, so that a
    database with one owner reads as it always did."""
    s = plan.summary()
    taken = f", {s['take-over']} to take over" if s["take-over"] else ""
    others = f", {len(plan.others)} owned by other scopes left alone" if plan.others else ""
    return (
        f"Plan: {s['create']} to create, {s['update']} to update, {s['rename']} to rename, "
        f"{s['adopt']} to adopt{taken}, {s['delete']} to delete; {s['unchanged']} unchanged, "
        f"{plan.unmanaged} unmanaged left alone{others}."
    )


def others_lines(plan: Plan) -> list[str]:
    """The live rows other scopes own, which this plan leaves alone: up to ``OTHERS_SHOWN`` a
    scope, with where each is declared."""
    if not plan.others:
        return []
    lines = [f"Left alone, owned by other scopes (scope `{plan.scope}` changes none of them):"]
    for scope, rows in groupby(plan.others, key=lambda row: row.scope):
        listed = list(rows)
        for row in listed[:OTHERS_SHOWN]:
            lines.append(f"  = {row.name}  (owned by scope `{scope}`, {row.source})")
        if len(listed) > OTHERS_SHOWN:
            lines.append(f"    ... and {len(listed) - OTHERS_SHOWN} more owned by scope `{scope}`")
    return lines


def pause_lines(plan: Plan) -> list[str]:
    """The declared tasks an operator paused: kept disabled, or enabled again (expired)."""
    lines: list[str] = []
    if plan.paused:
        lines.append("Paused, kept disabled (`syncer resume NAME` ends a pause):")
        lines.extend(f"  || {pause.name}  ({pause.describe()})" for pause in plan.paused)
    if plan.expired_pauses:
        lines.append(
            "Pauses that expired: the apply enables these tasks as declared and ends them:"
        )
        lines.extend(f"  |> {pause.name}  ({pause.describe()})" for pause in plan.expired_pauses)
    return lines


def _change_lines(change: Change) -> list[str]:
    """Uncolored, unescaped: ``plan_text`` escapes them all, then colors the first (its symbol and
    action are its characters 2 to 10)."""
    title = change.name
    if change.previous_name is not None:  # a rename, or a take-over that renames
        title = f"{change.previous_name} -> {change.name}"
    where = f"  ({change.source.path}:{change.source.line})" if change.source else ""
    out = [f"  {_head(change.action)} {title}{where}"]
    if change.action == Action.CREATE and change.after:
        for name in COMPARED_FIELDS:
            if name not in DEFAULTS or getattr(change.after, name) != DEFAULTS[name]:
                out.append(f"        {name}: {change.after.display(name)}")
    elif change.action == Action.DELETE and change.before:
        out.append(f"        task: {change.before.display('task')}")
        out.append(f"        schedule: {change.before.display('schedule')}")
    elif change.before and change.after:
        out.extend(_ownership_lines(change))
        if change.paused is not None:
            out.append("        (paused: the row stays disabled; every other field is applied)")
        for name in change.fields:
            if name == "name":
                continue
            before, after = change.before.display(name), change.after.display(name)
            out.append(f"        {name}: {before} -> {after}")
    return out


def _ownership_lines(change: Change) -> list[str]:
    """What an adopt or a take-over does to the row's owner."""
    if change.action == Action.TAKE_OVER:
        moved = "(row already matches; " if not change.fields else "("
        return [f"        {moved}it moves from scope `{change.previous_scope}` to this scope)"]
    if change.action == Action.ADOPT and not change.fields:
        return ["        (row already matches; it becomes managed)"]
    return []


def _preview_lines(change: Change, preview: ChangePreview) -> list[str]:
    out: list[str] = []
    if preview.before is not None and change.action != Action.DELETE:
        out.extend(preview.before.lines("runs before"))
    if preview.after is not None:
        out.extend(preview.after.lines("runs after (counted from the apply)"))
    if preview.fires_immediately:
        out.append("first run: AT ONCE after the apply (a slot is already due)")
    elif preview.held_back and preview.first_run is not None:
        out.append(
            f"first run: {preview.first_run:%Y-%m-%d %H:%M:%S} UTC; django-celery-beat alone "
            "would run it at once (a slot passed since its last run): the apply holds it back"
        )
    return [f"        {line}" for line in out]


def load_lines(load: Load | None) -> list[str]:
    if not load:
        return []
    parts = [f"queue {queue!r}: {a} -> {b}" for queue, (a, b) in load.items()]
    return [f"Busiest minute in the next 24 h, runs per queue: {'; '.join(parts)}"]


def at_once(previews: Previews | None) -> list[str]:
    """The tasks that will run at once after the apply."""
    return sorted(name for name, p in (previews or {}).items() if p.fires_immediately)


def plan_markdown(plan: Plan, previews: Previews | None = None, load: Load | None = None) -> str:
    """The text plan in a fenced code block that its content cannot close: the fence is longer
    than any run of backticks in it (a line of backticks inside reads as text, and so does what
    follows it: Markdown, HTML, comments that would hide the rest of the plan)."""
    return fenced(plan_text(plan, color=False, previews=previews, load=load))


_BACKTICKS = re.compile(r"`+")


def fenced(text: str, info: str = "text") -> str:
    """``text`` as a Markdown fenced code block, rendered as it is whatever it holds."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0) if "`" in text else 0
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{fence}{info}\n{body}{fence}\n"


def plan_json(plan: Plan, previews: Previews | None = None, load: Load | None = None) -> str:
    data = plan.to_json()
    refusal = plan.refusal()
    data["safety"] = (
        refusal.to_json()
        if refusal is not None
        else {"apply_refused": False, "reason": None, "override": None}
    )
    for change in data["changes"]:
        preview = (previews or {}).get(change["name"])
        if preview is not None:
            change["preview"] = preview.to_json()
            if change["after"] is not None and change["after"]["enabled"]:
                first = preview.first_run
                change["first_run"] = first.isoformat() if first is not None else None
                change["fires_immediately"] = preview.fires_immediately
                change["held_back"] = preview.held_back
    data["summary"]["fires_immediately"] = len(at_once(previews))
    data["load"] = {
        queue: {"peak_before": before, "peak_after": after}
        for queue, (before, after) in (load or {}).items()
    }
    return json.dumps(data, indent=2, sort_keys=False) + "\n"


# Tasks named on the one line of a group of problems (the JSON form lists every one).
GROUP_SHOWN = 3


def grouped(problems: Iterable[Problem]) -> list[list[Problem]]:
    """The problems in order, each alone except those of one group (the same DST transition hit
    by many crons), which come together at the place of the first."""
    listed = list(problems)
    members: dict[tuple[str, str], list[Problem]] = {}
    for problem in listed:
        if problem.group is not None:
            members.setdefault((problem.group, problem.severity), []).append(problem)
    out: list[list[Problem]] = []
    for problem in listed:
        group = members.get((problem.group, problem.severity)) if problem.group else None
        if group is None:
            out.append([problem])
        elif group[0] is problem:
            out.append(group)
    return out


def problems_text(problems: Iterable[Problem]) -> str:
    """One line per problem, except that the problems of one group share one line: the
    group's message, the count, and the first tasks with their positions."""
    return "".join(
        f"{group[0]}\n" if len(group) == 1 else _group_line(group) for group in grouped(problems)
    )


def _group_line(group: list[Problem]) -> str:
    first = group[0]
    named = ", ".join(f"{p.task!r} ({p.location})" for p in group[:GROUP_SHOWN])
    more = f", and {len(group) - GROUP_SHOWN} more" if len(group) > GROUP_SHOWN else ""
    field = f"{first.field}: " if first.field else ""
    kind = "warning: " if first.severity == "warning" else ""
    text = f"{first.location}: {field}{kind}{first.group}: {len(group)} tasks: {named}{more}"
    return escape(text) + "\n"


def problems_json(problems: Iterable[Problem]) -> str:
    items = [p.to_json() for p in problems]
    errors = sum(1 for p in items if p["severity"] == "error")
    return json.dumps({"valid": errors == 0, "problems": items}, indent=2) + "\n"

"""Hidden characters: controls, bidirectional overrides, zero-width and other invisible characters.

Schedule files arrive by pull request, and a reviewer approves what the plan shows. A character
that moves the cursor, starts a new line, reorders the text around it or shows nothing at all
lets a file print something other than what it does. So:

- ``find_hidden`` is how the name rule (``syncer.core.rules.name_problem``) finds them: a task
  name holding one is refused, everywhere a name comes in;
- ``escape`` is the one function every text output goes through (plans, status, problems, notes,
  text logs): each hidden character becomes a visible escape (``\\n``, ``\\x1b``, ``\\u202e``).

The set (``syncer.core.unicode_hidden``, generated from the Unicode Character Database): general
categories Cc (C0, DEL, C1), Cf (format: bidirectional controls and isolates, zero-width space and
joiners, the byte order mark, ...), Zl and Zp (line and paragraph separators), Cs (surrogates,
which cannot even be printed as UTF-8), and every Default_Ignorable_Code_Point (invisible by
definition: Hangul fillers, variation selectors, ...).
"""

from __future__ import annotations

import re
import unicodedata

from syncer.core.unicode_hidden import CONTROL_NAMES, HIDDEN


def _char_class() -> str:
    def one(point: int) -> str:
        return f"\\U{point:08x}"

    return "".join(one(a) if a == b else f"{one(a)}-{one(b)}" for a, b in HIDDEN)


# One search per string: most strings hold no hidden character, and are returned as they are.
HIDDEN_RE = re.compile(f"[{_char_class()}]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT.get(char)
    if short is not None:
        return short
    point = ord(char)
    if point <= 0xFF:
        return f"\\x{point:02x}"
    return f"\\u{point:04x}" if point <= 0xFFFF else f"\\U{point:08x}"


def escape(text: str) -> str:
    """``text`` with each hidden character as a visible escape, in Python's spelling (``\\n``,
    ``\\x1b``, ``\\u202e``, ``\\U000e0041``); unchanged (the same object) when it has none."""
    # Printable ASCII (the usual case) is the one test that needs no regex: isascii() reads a
    # flag of the string, isprintable() is one pass in C, and within ASCII, printable is exactly
    # "not hidden" (0x20-0x7e), whatever Python's Unicode version.
    if (text.isascii() and text.isprintable()) or HIDDEN_RE.search(text) is None:
        return text
    return HIDDEN_RE.sub(_escaped, text)


def escape_lines(lines: list[str]) -> list[str]:
    """``[escape(line) for line in lines]``, checked in one pass over them all first: a plan of
    10,000 changes is some 60,000 lines, nearly always with nothing to escape."""
    joined = " ".join(lines)  # a line break inside a line makes this not printable
    if joined.isascii() and joined.isprintable():
        return lines
    return [escape(line) for line in lines]


def quoted(text: str) -> str:
    """``text`` in double quotes, as JSON writes a string (``\\`` and ``\\"`` escaped), with each
    hidden character escaped as ``escape`` does: the text plan's form of a value."""
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escape(text)}"'


def find_hidden(text: str) -> tuple[int, str] | None:
    """(index, character) of the first hidden character of ``text``, or None."""
    if text.isascii() and text.isprintable():  # as in ``escape``
        return None
    match = HIDDEN_RE.search(text)
    return None if match is None else (match.start(), match.group())


def code_point(char: str) -> str:
    """``U+000A (LINE FEED)``: the code point and its name (a control's alias), for messages."""
    point = ord(char)
    name = CONTROL_NAMES.get(point) or unicodedata.name(char, "")
    return f"U+{point:04X} ({name})" if name else f"U+{point:04X}"

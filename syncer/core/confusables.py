"""Names that look alike to a reviewer: Unicode Technical Standard #39 (Unicode Security
Mechanisms), section 4 (confusable detection: skeletons) and section 5.1 (mixed-script detection).

``skeleton``: two strings are confusable when their skeletons are equal: ``payments`` spelled
with a Cyrillic a (U+0430) and with a Latin one, ``paypa1`` and ``paypal``, ``rn`` and ``m``.
``mixed_script``:
the first character whose scripts share none with those of the characters before it (Common and
Inherited characters, such as digits and ``-``, mix with every script; Han mixes with Hiragana
and Katakana as Japanese does, with Hangul as Korean does, with Bopomofo as Chinese does).

The data (``syncer.core.unicode_confusables``) is generated from Unicode's confusables.txt and
script files by ``tools/generate_unicode_data.py``; it is imported at the first use.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

# UTS #39, 5.1: the augmented script sets (Han is also Japanese, Korean, Han with Bopomofo, ...).
_AUGMENTED = {
    "Hani": ("Hanb", "Jpan", "Kore"),
    "Hira": ("Jpan",),
    "Kana": ("Jpan",),
    "Hang": ("Kore",),
    "Bopo": ("Hanb",),
}
_WRITING_SYSTEMS = frozenset({"Hanb", "Jpan", "Kore"})  # not scripts: left out of messages


@dataclass(frozen=True)
class _Tables:
    prototypes: dict[int, str]
    starts: list[int]
    ends: list[int]
    scripts: list[frozenset[str]]
    names: dict[str, str]


# The prototypes of ASCII characters (the generated table's entries below 0x80; a test keeps them
# equal): skeletons of ASCII names (nearly all) need no more, and the whole table takes a tenth
# of a second to import, a quarter of a command's start-up.
ASCII_PROTOTYPES: dict[int, str] = {
    0x22: "''",
    0x25: "\u00ba/\u2080",
    0x30: "O",
    0x31: "l",
    0x49: "l",
    0x60: "'",
    0x6D: "rn",
    0x7C: "l",
}


@dataclass(frozen=True)
class _AsciiTables:
    """ASCII names without str.translate's slow path for multi-character results: one
    bytes.translate for the one-to-one prototypes, a replace for each longer ASCII one.
    (Prototypes are never mapped further, so the order does not matter.)"""

    one: bytes
    longer: tuple[tuple[bytes, bytes], ...]
    not_ascii: frozenset[str]  # ASCII characters whose prototype is not ASCII ("%")


@cache
def _ascii_tables() -> _AsciiTables:
    ascii = {chr(k): v for k, v in ASCII_PROTOTYPES.items()}
    one = bytearray(range(256))
    for char, prototype in ascii.items():
        if len(prototype) == 1 and prototype.isascii():
            one[ord(char)] = ord(prototype)
    return _AsciiTables(
        one=bytes(one),
        longer=tuple(
            (c.encode(), p.encode()) for c, p in ascii.items() if len(p) > 1 and p.isascii()
        ),
        not_ascii=frozenset(c for c, p in ascii.items() if not p.isascii()),
    )


@cache
def _tables() -> _Tables:
    from syncer.core import unicode_confusables as data

    def augmented(codes: str) -> frozenset[str]:
        found = set(codes.split())
        for code in codes.split():
            found.update(_AUGMENTED.get(code, ()))
        return frozenset(found)

    return _Tables(
        prototypes=data.PROTOTYPES,
        starts=[first for first, _, _ in data.SCRIPTS],
        ends=[last for _, last, _ in data.SCRIPTS],
        scripts=[augmented(codes) for _, _, codes in data.SCRIPTS],
        names=data.SCRIPT_NAMES,
    )


def skeleton(text: str) -> str:
    """UTS #39's skeleton: NFD, each character replaced by its prototype, NFD again. (Its step
    "remove Default_Ignorable_Code_Point characters" has nothing to remove in a task name: the
    name rule refuses them.)"""
    if text.isascii():
        fast = _ascii_tables()
        if fast.not_ascii.isdisjoint(text):  # NFD changes no ASCII
            data = text.encode().translate(fast.one)
            for char, prototype in fast.longer:
                data = data.replace(char, prototype)
            return data.decode()
    nfd = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", nfd.translate(_tables().prototypes))


@cache
def scripts_of(char: str) -> frozenset[str] | None:
    """The (augmented) scripts of ``char``; None for Common, Inherited and unassigned ones."""
    tables = _tables()
    point = ord(char)
    index = bisect_right(tables.starts, point) - 1
    if index >= 0 and point <= tables.ends[index]:
        return tables.scripts[index]
    return None


def script_names(scripts: frozenset[str]) -> str:
    names = _tables().names
    return " or ".join(sorted(names[code] for code in scripts - _WRITING_SYSTEMS))


@dataclass(frozen=True)
class MixedScripts:
    index: int  # of the first character that no script of those before it has
    char: str
    scripts: frozenset[str]  # that character's
    before: frozenset[str]  # the scripts every earlier (non-Common) character has


def mixed_script(text: str) -> MixedScripts | None:
    """UTS #39, 5.1: ``text`` is mixed-script when no one script covers all its characters."""
    if text.isascii():  # ASCII letters are all Latin
        return None
    # First the characters as a set (a name repeats its letters): most names are of one script.
    every = [scripts for scripts in map(scripts_of, set(text)) if scripts is not None]
    if not every or frozenset.intersection(*every):
        return None
    resolved: frozenset[str] | None = None
    for index, char in enumerate(text):
        scripts = scripts_of(char)
        if scripts is None:
            continue
        if resolved is None:
            resolved = scripts
            continue
        common = resolved & scripts
        if not common:
            return MixedScripts(index, char, scripts, resolved)
        resolved = common
    return None

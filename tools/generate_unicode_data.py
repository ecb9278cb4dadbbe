"""Generate the syncer's Unicode tables from the Unicode Character Database and UTS #39 data.

    python tools/generate_unicode_data.py DIR

DIR holds these files of one Unicode version (https://www.unicode.org/Public/<version>/ucd/ and
https://www.unicode.org/Public/security/<version>/): ``DerivedGeneralCategory.txt`` (ucd/extracted),
``DerivedCoreProperties.txt``, ``NameAliases.txt``, ``Scripts.txt``, ``ScriptExtensions.txt``,
``PropertyValueAliases.txt`` and ``confusables.txt``. It writes:

- ``syncer/core/unicode_hidden.py``: the characters refused in task names and escaped in text
  output (general categories Cc, Cf, Zl, Zp, Cs, and Default_Ignorable_Code_Point), and the names
  of the control characters (which have no character name, only aliases);
- ``syncer/core/unicode_confusables.py``: the prototypes of UTS #39's skeleton, and each
  character's script set (Script_Extensions, else Script) for mixed-script detection.

Python's ``unicodedata`` has general categories but neither Default_Ignorable_Code_Point, nor
scripts, nor the confusables; no maintained PyPI package ships the current UTS #39 data (see
docs/reliability.md, "Review integrity"). The data files are under the Unicode License v3, which
allows redistribution with the copyright notice that the generated modules carry.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HIDDEN_CATEGORIES = ("Cc", "Cf", "Zl", "Zp", "Cs")
ANY_SCRIPT = ("Zyyy", "Zinh", "Zzzz")  # Common, Inherited, Unknown: mix with every script


def records(path: Path) -> Iterator[list[str]]:
    """The ``;``-separated fields of each data line (comments dropped, fields stripped)."""
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        data = line.split("#", 1)[0].strip()
        if data:
            yield [part.strip() for part in data.split(";")]


def code_points(text: str) -> range:
    first, _, last = text.partition("..")
    return range(int(first, 16), int(last or first, 16) + 1)


def version_of(path: Path) -> str:
    head = path.read_text(encoding="utf-8-sig")[:2000]
    number = r"(\d+\.\d+\.\d+)"
    match = re.search(f"Version: {number}", head) or re.search(f"-{number}\\.txt", head)
    if match is None:
        raise SystemExit(f"{path}: no version in its header")
    return match.group(1)


def ranges(points: set[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for point in sorted(points):
        if out and out[-1][1] == point - 1:
            out[-1] = (out[-1][0], point)
        else:
            out.append((point, point))
    return out


def hidden(source: Path) -> set[int]:
    points: set[int] = set()
    for fields in records(source / "DerivedGeneralCategory.txt"):
        if fields[1] in HIDDEN_CATEGORIES:
            points.update(code_points(fields[0]))
    for fields in records(source / "DerivedCoreProperties.txt"):
        if fields[1] == "Default_Ignorable_Code_Point":
            points.update(code_points(fields[0]))
    return points


def control_names(source: Path, points: set[int]) -> dict[int, str]:
    """The first ``control`` alias of each control character (else its ``figment``)."""
    names: dict[int, tuple[int, str]] = {}
    rank = {"control": 0, "figment": 1}
    for point, alias, kind in records(source / "NameAliases.txt"):
        code = int(point, 16)
        if code in points and kind in rank and (code not in names or rank[kind] < names[code][0]):
            names[code] = (rank[kind], alias)
    return {code: alias for code, (_, alias) in sorted(names.items())}


def scripts(source: Path) -> tuple[list[tuple[int, int, str]], dict[str, str]]:
    aliases = {f[2]: f[1] for f in records(source / "PropertyValueAliases.txt") if f[0] == "sc"}
    long_names = {f[1]: f[2] for f in records(source / "PropertyValueAliases.txt") if f[0] == "sc"}
    of: dict[int, str] = {}
    for point, script in records(source / "Scripts.txt"):
        for code in code_points(point):
            of[code] = aliases[script]
    for point, extensions in records(source / "ScriptExtensions.txt"):
        for code in code_points(point):
            of[code] = " ".join(sorted(extensions.split()))
    spans: list[tuple[int, int, str]] = []
    for code in sorted(of):
        value = of[code]
        if value in ANY_SCRIPT:
            continue
        if spans and spans[-1][1] == code - 1 and spans[-1][2] == value:
            spans[-1] = (spans[-1][0], code, value)
        else:
            spans.append((code, code, value))
    used = {script for _, _, value in spans for script in value.split()}
    return spans, {code: long_names[code].replace("_", " ") for code in sorted(used)}


def prototypes(source: Path) -> dict[int, str]:
    out: dict[int, str] = {}
    for fields in records(source / "confusables.txt"):
        source_point, target, kind = fields[0], fields[1], fields[2]
        assert kind == "MA", fields  # one table since Unicode 9: mixed-script, any-case
        out[int(source_point, 16)] = "".join(chr(int(p, 16)) for p in target.split())
    return out


def header(what: str, version: str, long_lines: bool = False) -> str:
    return (
        ("# ruff: noqa: E501 (generated data)\n" if long_lines else "") + f'"""{what}\n\n'
        "Generated by ``python tools/generate_unicode_data.py`` from Unicode "
        f"{version} data files\n"
        "(https://www.unicode.org/Public/): do not edit. Those files are\n"
        "Copyright (c) 1991-2025 Unicode, Inc., under the Unicode License v3\n"
        '(https://www.unicode.org/license.txt)."""\n\n'
        f'UNICODE_VERSION = "{version}"\n'
    )


def literal(text: str) -> str:
    """A string literal of escapes only: the module shows no confusable character as it is."""
    escaped = (f"\\U{ord(c):08x}" if ord(c) > 0xFFFF else f"\\u{ord(c):04x}" for c in text)
    return '"' + "".join(escaped) + '"'


def write_hidden(source: Path, version: str) -> Path:
    points = hidden(source)
    names = control_names(source, points)
    lines = [
        header(
            "Characters refused in task names and escaped in every text output: general\n"
            "categories Cc (controls: C0, DEL, C1), Cf (format: bidirectional controls,\n"
            "zero-width characters, ...), Zl, Zp, Cs, and every Default_Ignorable_Code_Point\n"
            "(invisible: Hangul fillers, variation selectors, ...). See ``syncer.core.escape``.",
            version,
        ),
        "# (first, last) code points",
        "HIDDEN: tuple[tuple[int, int], ...] = (",
        *(f"    (0x{a:04X}, 0x{b:04X})," for a, b in ranges(points)),
        ")",
        "",
        "# Controls have no character name: their first alias (NameAliases.txt)",
        "CONTROL_NAMES: dict[int, str] = {",
        *(f'    0x{code:04X}: "{name}",' for code, name in names.items()),
        "}",
    ]
    target = ROOT / "syncer" / "core" / "unicode_hidden.py"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def write_confusables(source: Path, version: str) -> Path:
    spans, names = scripts(source)
    table = prototypes(source)
    lines = [
        header(
            "UTS #39 data: the prototype of each confusable character (confusables.txt), and the\n"
            "scripts of each character (Script_Extensions, else Script; Common, Inherited and\n"
            "Unknown are left out: they mix with every script). See ``syncer.core.confusables``.",
            version,
            long_lines=True,
        ),
        "# (first, last, script codes separated by spaces), sorted",
        "SCRIPTS: tuple[tuple[int, int, str], ...] = (",
        *(f'    (0x{a:04X}, 0x{b:04X}, "{value}"),' for a, b, value in spans),
        ")",
        "",
        "SCRIPT_NAMES: dict[str, str] = {",
        *(f'    "{code}": "{name}",' for code, name in names.items()),
        "}",
        "",
        "# code point -> its prototype (skeleton(X) maps each character of NFD(X) to this)",
        "PROTOTYPES: dict[int, str] = {",
        *(f"    0x{code:04X}: {literal(value)}," for code, value in sorted(table.items())),
        "}",
    ]
    target = ROOT / "syncer" / "core" / "unicode_confusables.py"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write(__doc__ or "")
        return 1
    source = Path(argv[0])
    versions = {
        version_of(source / name)
        for name in ("DerivedCoreProperties.txt", "Scripts.txt", "confusables.txt")
    }
    if len(versions) != 1:
        raise SystemExit(f"the files are of different Unicode versions: {sorted(versions)}")
    (version,) = versions
    written = [write_hidden(source, version), write_confusables(source, version)]
    ruff = Path(sys.executable).with_name("ruff")
    subprocess.run([str(ruff), "format", *map(str, written)], check=True)
    for path in written:
        print(f"wrote {path.relative_to(ROOT)} (Unicode {version})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The shell examples of the documentation: every ``sh``/``bash`` fenced block of README.md and
docs/*.md, with the ``docs-test`` directive written on the line just before its fence.

Directives (an HTML comment, invisible on GitHub), several separated by ``;``:

* ``skip: REASON`` -- not run here, and why (a Docker engine, a cluster, minutes of load...);
* ``covered-by PATH: REASON`` -- what the block does is run by that test instead (the file must
  exist);
* ``server`` -- needs the demo's web server: started on a free port, ``localhost:8000`` in the
  block is rewritten to it, a staff user ``admin`` exists;
* ``replace "OLD"="NEW"`` -- a placeholder of the text (``myproject``) and what stands for it
  here;
* ``before "COMMANDS"`` -- run first (creating the directories a block assumes).

A block without a directive runs as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHELLS = {"sh", "bash", "shell"}
_FENCE = re.compile(r"^(`{3,})(\w*)\s*$")
_DIRECTIVE = re.compile(r"^<!--\s*docs-test:\s*(.*?)\s*-->$")
_PAIR = re.compile(r'^"(.*)"="(.*)"$')
# Directives are separated by ";" before a directive's name (a reason may hold ";" too).
_SEPARATOR = re.compile(r";\s*(?=(?:skip|covered-by|server|replace|before)\b)")


@dataclass
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    text: str
    skip: str = ""
    covered_by: str = ""
    server: bool = False
    replacements: list[tuple[str, str]] = field(default_factory=list)
    before: str = ""

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    def script(self) -> str:
        text = self.text
        for old, new in self.replacements:
            if old not in text:
                raise ValueError(f"{self.where}: replace {old!r}: not in the block")
            text = text.replace(old, new)
        return f"{self.before}\n{text}" if self.before else text


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def blocks(path: Path) -> list[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        fence = _FENCE.match(lines[index])
        if not fence:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith(fence.group(1)))
        if fence.group(2) in SHELLS:
            block = Block(path, index + 1, "\n".join(lines[index + 1 : end]) + "\n")
            directive = _DIRECTIVE.match(lines[index - 1].strip()) if index else None
            if directive:
                _apply(block, directive.group(1))
            found.append(block)
        index = end + 1
    return found


def _apply(block: Block, text: str) -> None:
    for part in (p.strip() for p in _SEPARATOR.split(text) if p.strip()):
        key, _, value = part.partition(" ")
        key = key.rstrip(":")
        value = value.strip()
        if key == "skip":
            block.skip = value
        elif key == "covered-by":
            block.covered_by = value
        elif key == "server":
            block.server = True
        elif key == "replace" and (pair := _PAIR.match(value)):
            block.replacements.append((pair.group(1), pair.group(2)))
        elif key == "before" and value.startswith('"') and value.endswith('"'):
            block.before = value[1:-1]
        else:
            raise ValueError(f"{block.where}: unknown docs-test directive {part!r}")

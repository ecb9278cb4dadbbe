"""Markdown tables from ``bench/run.py --output`` results: ``python bench/report.py RESULTS.json``.

docs/benchmarks.md pastes what this prints, so that no figure is copied by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import ROWS, compute_ratios


def _n(value: Any) -> str:
    return "-" if value is None else f"{value:,}"


def table(run: dict[str, Any]) -> str:
    results, n = run["results"], run["tasks"]
    base_n = run.get("baseline_tasks", n)
    lines = [
        f"**{run['database']}, {n:,} tasks** "
        f"({run['files']} files, {run['yaml_lines']:,} YAML lines)",
        "",
        "| operation | seconds | CPU s | statements | writes | rows written | peak RSS |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, label in ROWS:
        if key not in results:
            continue
        r = results[key]
        if key in ("seed", "dcb_cold", "dcb_repeat") and base_n != n:
            label += f" (at {base_n:,})"
        cpu = f"{r['cpu_seconds']:.2f}" if "cpu_seconds" in r else "-"
        rss = f"{r['peak_rss_mb']:.0f} MB" if "peak_rss_mb" in r else "-"
        lines.append(
            f"| {label} | {r['seconds']:.3f} | {cpu} | {_n(r.get('statements'))} | "
            f"{_n(r.get('writes'))} | {_n(r.get('rows'))} | {rss} |"
        )
        if key == "parse":
            lines.append(
                f"| &nbsp;&nbsp;of which YAML load / validation | "
                f"{r['load_seconds']:.3f} / {r['validate_seconds']:.3f} | | | | | |"
            )
    lines.append("")
    for label, value in compute_ratios(run).items():
        lines.append(f"- {label}: **{value:.1f}x**")
    return "\n".join(lines)


def main() -> int:
    for path in sys.argv[1:]:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        for run in data["runs"]:
            print(table(run))
            print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

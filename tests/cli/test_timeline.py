"""``syncer timeline`` and the herd lint, through the command line."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from syncer.cli.main import main
from tests.helpers import write_files

pytestmark = pytest.mark.django_db
START = "2026-12-01T00:00:00+00:00"
FILES = """\
tasks:
  tick: {task: tasks.print_hello, every: 30s, queue: fast}
  report: {task: tasks.print_hello, cron: "15 */6 * * *", queue: reports}
"""


def herd(count: int) -> str:
    lines = ["tasks:"]
    lines += [
        f"  r{i:03}: {{task: tasks.print_hello, cron: '0 3 * * *', queue: reports}}"
        for i in range(count)
    ]
    return "\n".join(lines) + "\n"


def test_json_counts_runs_per_minute_and_queue(tmp_path, capsys):
    root = write_files(tmp_path / "s", {"a.yaml": FILES})
    assert main(["timeline", str(root), "-o", "json", "--start", START, "--window", "24h"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["start"] == START and data["by"] == "queue"
    assert data["total_runs"] == 2 * 1440 - 1 + 4  # every 30 s from the start, and 4 reports
    report_minutes = [m for m in data["minutes"] if "reports" in m["queues"]]
    assert [m["minute"][11:16] for m in report_minutes] == ["00:15", "06:15", "12:15", "18:15"]
    assert report_minutes[0] == {
        "minute": "2026-12-01T00:15:00+00:00",
        "runs": 3,
        "queues": {"fast": 2, "reports": 1},
    }
    assert data["peaks"][0] == {"queue": "fast", "minute": "2026-12-01T00:01:00+00:00", "runs": 2}


def test_by_task_text_and_svg(tmp_path, capsys):
    root = write_files(tmp_path / "s", {"a.yaml": FILES})
    assert main(["timeline", str(root), "--by", "task", "--start", START]) == 0
    text = capsys.readouterr().out
    assert "by task: 2883 runs" in text and "report" in text
    out = tmp_path / "chart.svg"
    assert (
        main(["timeline", str(root), "-o", "svg", "--start", START, "--output-file", str(out)]) == 0
    )
    svg = ET.parse(out).getroot()
    bars = svg.findall(".//{http://www.w3.org/2000/svg}rect[@class='bar']")
    assert len(bars) == 1440 + 4  # every minute has the fast queue; four have a report on top
    assert "reports" in out.read_text()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--window", "soon"], "--window soon: cannot read 'soon' as a duration"),
        (["--window", "90d"], "--window 90d: between 1 minute and 31 days"),
        (["--start", "2026-12-01T00:00:00"], "give its offset"),
    ],
)
def test_bad_options_are_one_line_errors(tmp_path, capsys, argv, message):
    root = write_files(tmp_path / "s", {"a.yaml": FILES})
    assert main(["timeline", str(root), *argv]) == 1
    assert message in capsys.readouterr().err


def test_the_herd_lint_warns_once_per_queue_and_strict_refuses(tmp_path, capsys, settings):
    root = write_files(tmp_path / "s", {"a.yaml": herd(60)})
    assert main(["validate", str(root)]) == 0
    err = capsys.readouterr().err
    (line,) = [line for line in err.splitlines() if "SYNCER_HERD_THRESHOLD" in line]
    assert line.startswith(
        f"{root}/a.yaml:2:3: task 'r000': schedule: warning: 60 runs start on queue 'reports'"
    )
    assert "more than 50" in line and "jitter" in line
    assert main(["validate", str(root), "--strict"]) == 1
    settings.SYNCER_HERD_THRESHOLD = 60
    assert main(["validate", str(root), "--strict"]) == 0


def test_the_plan_shows_how_each_touched_queues_busiest_minute_changes(tmp_path, capsys):
    root = write_files(tmp_path / "s", {"a.yaml": herd(10)})
    assert main(["apply", str(root)]) == 0
    write_files(
        root, {"a.yaml": herd(30) + "  other: {task: tasks.print_hello, every: 1h, queue: q2}\n"}
    )
    capsys.readouterr()
    assert main(["plan", str(root), "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["load"] == {
        "q2": {"peak_before": 0, "peak_after": 1},
        "reports": {"peak_before": 10, "peak_after": 30},
    }
    assert main(["plan", str(root)]) == 0
    text = capsys.readouterr().out
    assert (
        "Busiest minute in the next 24 h, runs per queue: queue 'q2': 0 -> 1; queue 'reports': 10 -> 30"
        in text
    )

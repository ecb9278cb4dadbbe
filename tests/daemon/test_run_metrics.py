"""Run health in /metrics: series made from the latest update when scraped."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, generate_latest

from syncer.core.health import Health
from syncer.daemon.run_metrics import RunMetrics

LAST = datetime(2026, 1, 1, tzinfo=UTC)


def scrape(registry: CollectorRegistry) -> list[str]:
    text = generate_latest(registry).decode()
    return [line for line in text.splitlines() if not line.startswith("#")]


def test_series_follow_the_latest_update_only():
    registry = CollectorRegistry()
    metrics = RunMetrics(registry)
    assert scrape(registry) == ["syncer_paused_tasks 0.0"]  # before the first observation
    metrics.update(
        [
            Health("a", "missed", None, LAST, None, None, 90.0),
            Health("b", "paused", "q", None, None, LAST),
        ]
    )
    lines = scrape(registry)
    assert 'syncer_tasks{state="missed"} 1.0' in lines
    assert 'syncer_tasks{state="ok"} 0.0' in lines
    assert "syncer_paused_tasks 1.0" in lines
    assert 'syncer_task_state{queue="",state="missed",task="a"} 1.0' in lines
    assert 'syncer_task_late_seconds{queue="",task="a"} 90.0' in lines
    assert (
        f'syncer_task_last_run_timestamp_seconds{{queue="",task="a"}} {LAST.timestamp():.7e}'
        in lines
    )
    assert (
        f'syncer_task_next_run_timestamp_seconds{{queue="q",task="b"}} {LAST.timestamp():.7e}'
        in lines
    )
    assert not any("last_run" in line and 'task="b"' in line for line in lines)  # never ran

    metrics.update([Health("b", "ok", "q", LAST, None, None)])  # `a` is gone
    lines = scrape(registry)
    assert not any('task="a"' in line for line in lines)
    assert 'syncer_task_state{queue="q",state="ok",task="b"} 1.0' in lines

    metrics.update([Health("b", "ok", "q", LAST, None, None)], per_task=False)
    lines = scrape(registry)
    assert 'syncer_tasks{state="ok"} 1.0' in lines
    assert not any(line.startswith("syncer_task_") for line in lines)

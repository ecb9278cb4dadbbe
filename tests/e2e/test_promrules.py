"""Every rule of deploy/prometheus/syncer-alerts.yml is one the test evaluator understands, and
the evaluator reads a scrape as Prometheus would."""

from __future__ import annotations

import time

from tests.e2e.conftest import ROOT
from tests.e2e.promrules import firing, load_rules

SCRAPE = f"""\
# TYPE syncer_task_state gauge
syncer_task_state{{task="a",queue="",state="missed"}} 1.0
syncer_task_state{{task="b",queue="q",state="ok"}} 1.0
# TYPE syncer_tasks gauge
syncer_tasks{{state="missed"}} 1.0
syncer_tasks{{state="late"}} 0.0
# TYPE syncer_last_success_timestamp_seconds gauge
syncer_last_success_timestamp_seconds {time.time() - 3600}
# TYPE syncer_invalid_files gauge
syncer_invalid_files 0.0
# TYPE syncer_leader gauge
syncer_leader 0.0
"""


def test_the_rules_parse_and_fire_on_what_they_describe():
    rules = load_rules(ROOT / "deploy" / "prometheus" / "syncer-alerts.yml")
    alerts = firing(rules, SCRAPE)
    assert alerts["ScheduledTaskMissed"] == [{"task": "a", "queue": "", "state": "missed"}]
    assert set(alerts) == {
        "ScheduledTaskMissed",
        "ScheduledTasksMissed",
        "SyncerNotReconciling",
        "SyncerNoLeader",
    }

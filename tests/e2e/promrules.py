"""Just enough of Prometheus to evaluate deploy/prometheus/syncer-alerts.yml against a scrape:
the rules use ``METRIC{label="value"} OP NUMBER``, ``time() - METRIC OP NUMBER`` and
``max(METRIC) OP NUMBER``, nothing else (a rule outside this grammar fails the test, so a new rule
is not silently left unevaluated). ``for:`` durations are not waited for: a rule "fires" as soon
as its expression holds."""

from __future__ import annotations

import operator
import re
import time
from pathlib import Path
from typing import Any

import yaml
from prometheus_client.parser import text_string_to_metric_families

OPS = {">": operator.gt, "<": operator.lt, "==": operator.eq, ">=": operator.ge, "!=": operator.ne}
_SELECTOR = r"(?P<metric>[a-z_:][a-z0-9_:]*)(?:\{(?P<labels>[^}]*)\})?"
_FORMS = [
    ("plain", re.compile(rf"^{_SELECTOR}\s*(?P<op>==|!=|>=|>|<)\s*(?P<n>[-\d.]+)$")),
    ("age", re.compile(rf"^time\(\)\s*-\s*{_SELECTOR}\s*(?P<op>==|!=|>=|>|<)\s*(?P<n>[-\d.]+)$")),
    ("max", re.compile(rf"^max\({_SELECTOR}\)\s*(?P<op>==|!=|>=|>|<)\s*(?P<n>[-\d.]+)$")),
]


def load_rules(path: Path) -> dict[str, str]:
    data = yaml.safe_load(path.read_text())
    return {rule["alert"]: rule["expr"] for group in data["groups"] for rule in group["rules"]}


def samples(scrape: str) -> list[tuple[str, dict[str, str], float]]:
    out = []
    for family in text_string_to_metric_families(scrape):
        for sample in family.samples:
            out.append((sample.name, dict(sample.labels), float(sample.value)))
    return out


def firing(rules: dict[str, str], scrape: str) -> dict[str, list[dict[str, Any]]]:
    """alert name -> the label sets for which it fires."""
    series = samples(scrape)
    out: dict[str, list[dict[str, Any]]] = {}
    for alert, expr in rules.items():
        hits = evaluate(expr.strip(), series)
        if hits:
            out[alert] = hits
    return out


def evaluate(expr: str, series: list[tuple[str, dict[str, str], float]]) -> list[dict[str, Any]]:
    found = next(((form, m) for form, pattern in _FORMS if (m := pattern.match(expr))), None)
    if found is None:
        raise ValueError(f"the test's evaluator does not know this expression: {expr}")
    form, match = found
    wanted = dict(re.findall(r'(\w+)="([^"]*)"', match.group("labels") or ""))
    chosen = [
        (labels, value)
        for name, labels, value in series
        if name == match.group("metric") and all(labels.get(k) == v for k, v in wanted.items())
    ]
    compare, number = OPS[match.group("op")], float(match.group("n"))
    if form == "max":
        top = max((value for _, value in chosen), default=None)
        return [{}] if top is not None and compare(top, number) else []
    if form == "age":
        chosen = [(labels, time.time() - value) for labels, value in chosen]
    return [labels for labels, value in chosen if compare(value, number)]

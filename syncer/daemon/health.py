"""The daemon's HTTP endpoint: ``/healthz`` (alive), ``/readyz`` (last reconcile succeeded, else
503 with the reason), ``/metrics`` (Prometheus, through prometheus-client)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from syncer.daemon.run_metrics import RunMetrics


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.reconciles = Counter(
            "syncer_reconcile", "Reconciles by result", ["result"], registry=r
        )
        self.duration = Histogram(
            "syncer_reconcile_duration_seconds",
            "Duration of a reconcile",
            registry=r,
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
        )
        self.last_success = Gauge(
            "syncer_last_success_timestamp_seconds",
            "Unix time of the last successful reconcile",
            registry=r,
        )
        self.changes = Counter(
            "syncer_changes_applied", "Changes applied, by action", ["action"], registry=r
        )
        self.drift = Counter(
            "syncer_drift_detected",
            "Reconciles that found rows changed outside the files",
            registry=r,
        )
        self.invalid_files = Gauge(
            "syncer_invalid_files", "Schedule files that are invalid", registry=r
        )
        self.lint_warnings = Gauge(
            "syncer_lint_warnings",
            "Lint warnings of the files (valid schedules that probably do not do what was meant)",
            registry=r,
        )
        self.managed = Gauge("syncer_managed_tasks", "Tasks managed by the syncer", registry=r)
        self.leader = Gauge(
            "syncer_leader", "1 when this replica is the one that reconciles", registry=r
        )
        self.runs = RunMetrics(r)


@dataclass
class Readiness:
    """What /readyz reports; written by the loop, read by the HTTP thread."""

    ready: bool = False
    state: str = "starting"
    reason: str = "no reconcile yet"
    details: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, ready: bool, state: str, reason: str = "", **details: Any) -> None:
        with self.lock:
            self.ready, self.state, self.reason, self.details = ready, state, reason, details

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"ready": self.ready, "state": self.state, "reason": self.reason, **self.details}


def serve(
    port: int, status: Readiness, metrics: Metrics, host: str = "0.0.0.0"
) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/healthz":
                self._send(200, "text/plain; charset=utf-8", b"ok\n")
            elif path == "/readyz":
                body = status.snapshot()
                code = 200 if body["ready"] else 503
                self._send(code, "application/json", (json.dumps(body) + "\n").encode())
            elif path == "/metrics":
                self._send(200, CONTENT_TYPE_LATEST, generate_latest(metrics.registry))
            else:
                self._send(404, "text/plain; charset=utf-8", b"not found\n")

        def _send(self, code: int, content_type: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return  # probes every few seconds would drown the reconcile log

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="syncer-http", daemon=True)
    thread.start()
    return server

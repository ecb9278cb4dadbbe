"""``syncer watch``: reconcile at start, on every file change and every resync interval."""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading
from http.server import ThreadingHTTPServer

from syncer import project
from syncer.cli import audit
from syncer.cli.inputs import paths, scope_of
from syncer.core.errors import UserError
from syncer.daemon import logs
from syncer.daemon.health import Metrics, Readiness, serve
from syncer.daemon.loop import Options, Reconciler


def run(args: argparse.Namespace) -> int:
    log = logs.configure(args.log_format)
    options = Options(
        paths=paths(args),
        resync_interval=args.resync_interval,
        self_heal=args.self_heal,
        debounce=args.debounce,
        poll_interval=args.poll_interval,
        max_backoff=args.max_backoff,
        force=args.force,
        allow_empty=args.allow_empty,
        revision=args.revision,
        applied_by=f"syncer-watch:{audit.applied_by()}",
        scope=scope_of(args),
    )
    status, metrics = Readiness(), Metrics()
    server = _serve(args.metrics_port, status, metrics) if args.metrics_port is not None else None
    stop = threading.Event()
    reconciler: Reconciler | None = None

    def on_signal(signum: int, _frame: object) -> None:
        log.info("stopping", extra={"signal": signal.Signals(signum).name})
        stop.set()
        if reconciler is not None:
            reconciler.wake()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info(
        "watching",
        extra={
            "paths": options.paths,
            "resync_interval": options.resync_interval,
            "self_heal": options.self_heal,
            "metrics_port": args.metrics_port,
            "scope": options.scope.name,
            "take_over": sorted(options.scope.take_over),
        },
    )
    reconciler = Reconciler(
        options,
        project.context(),
        status,
        metrics,
        log,
        revision=lambda: audit.git_revision(options.paths[0]),
    )
    try:
        reconciler.run(stop)
    finally:
        with contextlib.suppress(Exception):  # a standby takes over now, not after the TTL
            reconciler.leadership.release()
        if server is not None:
            server.shutdown()
    log.info("stopped")
    return 0


def _serve(port: int, status: Readiness, metrics: Metrics) -> ThreadingHTTPServer:
    try:
        return serve(port, status, metrics)
    except OSError as exc:
        raise UserError(
            f"--metrics-port {port}: cannot listen: {exc.strerror or exc} "
            "(another process uses the port? choose another one)"
        ) from None

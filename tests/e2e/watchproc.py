"""Helpers for the `syncer watch` tests: the process, its HTTP endpoint, direct SQL on the
test's own database, and a TCP proxy that can cut the database off and bring it back."""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from contextlib import closing, suppress
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
SYNCER = [sys.executable, "-m", "syncer.cli.main"]


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Watcher:
    def __init__(self, env: dict[str, str], paths: list[Path], log: Path, *args: str) -> None:
        self.port = free_port()
        self.log_path = log
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [*SYNCER, "watch", *map(str, paths), "--metrics-port", str(self.port), *args],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except OSError:
            return 0, ""

    def readyz(self) -> dict:
        code, body = self.get("/readyz")
        return {"code": code, **(json.loads(body) if body.startswith("{") else {})}

    def metric(self, name: str) -> float | None:
        _code, body = self.get("/metrics")
        for line in body.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
        return None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self._log.close()
        return self.process.returncode

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


class Database:
    """Direct SQL on the test's own database (the ORM is bound to pytest-django's)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        parts = urlsplit(self.url)
        if parts.scheme.startswith("sqlite"):
            with closing(sqlite3.connect(parts.path, timeout=30)) as conn:
                rows = conn.execute(sql.replace("%s", "?"), params).fetchall()
                conn.commit()
                return rows
        if parts.scheme.startswith("mysql"):
            return self._mysql(sql, params)
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def _mysql(self, sql: str, params: tuple) -> list[tuple]:
        import MySQLdb

        parts = urlsplit(self.url)
        conn = MySQLdb.connect(
            host=parts.hostname or "localhost",
            port=parts.port or 3306,
            user=unquote(parts.username or "root"),
            password=unquote(parts.password or ""),
            database=parts.path.lstrip("/"),
            charset="utf8mb4",
            autocommit=True,
        )
        with closing(conn):
            cursor = conn.cursor()
            cursor.execute(sql, params or None)
            return list(cursor.fetchall()) if cursor.description else []

    def tasks(self) -> dict[str, tuple]:
        rows = self.query(
            "SELECT t.name, t.enabled, i.every, i.period, t.queue FROM "
            "django_celery_beat_periodictask t LEFT JOIN django_celery_beat_intervalschedule i "
            "ON t.interval_id = i.id ORDER BY t.name"
        )
        return {r[0]: tuple(r[1:]) for r in rows}

    def dump(self) -> list[tuple]:
        return self.query(
            "SELECT name, task, enabled, interval_id, crontab_id, args, kwargs, queue, "
            "date_changed FROM django_celery_beat_periodictask ORDER BY name"
        )


class TcpProxy:
    """127.0.0.1:<port> -> target; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._up = threading.Event()
        self._up.set()
        self._stop = threading.Event()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._listen()
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.2)
        self._listener = listener

    def _accept(self) -> None:
        while not self._stop.is_set():
            if not self._up.is_set() or self._listener is None:
                self._stop.wait(0.05)
                continue
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            pump = threading.Thread(target=self._pump, args=(client, upstream), daemon=True)
            with self._lock:
                self._pairs.append((client, upstream))
                self._threads.append(pump)
            pump.start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        """Until either side closes, or the proxy cuts or closes the pair (a closed socket
        silently leaves the selector: without the checks the thread would wait forever)."""
        selector = selectors.DefaultSelector()
        selector.register(a, selectors.EVENT_READ, b)
        selector.register(b, selectors.EVENT_READ, a)
        try:
            while not self._stop.is_set() and a.fileno() != -1 and b.fileno() != -1:
                for key, _ in selector.select(timeout=0.2):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            for s in (a, b):
                with suppress(OSError):
                    s.close()

    def cut(self) -> None:
        self._up.clear()
        if self._listener is not None:
            self._listener.close()  # refuse new connections
            self._listener = None
        with self._lock:
            for a, b in self._pairs:
                for s in (a, b):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                        s.close()
                    except OSError:
                        pass
            self._pairs.clear()

    def restore(self) -> None:
        self._listen()
        self._up.set()

    def close(self) -> None:
        """Every connection dropped and every thread ended: a test after this one may fork
        (``syncer.forked`` forks only in a process without other threads)."""
        self._stop.set()
        self.cut()
        self._threads[0].join(timeout=10)  # the accepting thread first: then no pump starts
        for thread in self._threads[1:]:
            thread.join(timeout=10)

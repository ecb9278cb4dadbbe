"""Structured logs: one JSON object per line (``--log-format json``, the default) or plain text.

Messages and fields quote input (task names, paths, problems). Neither form lets a character
of it reach the log as it is: JSON escapes every character but printable ASCII (``ensure_ascii``:
C0, C1, bidirectional and zero-width characters become ``\\uXXXX``), and the text form escapes
the message (``syncer.core.escape``) and writes each field as such JSON.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from syncer.core.escape import escape

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: v for k, v in vars(record).items() if k not in _RESERVED})
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str, ensure_ascii=True)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extra = {k: v for k, v in vars(record).items() if k not in _RESERVED}
        fields = " ".join(
            f"{k}={json.dumps(v, default=str, ensure_ascii=True)}" for k, v in extra.items()
        )
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        message = escape(record.getMessage())
        return f"{stamp} {record.levelname.lower():<7} {message} {fields}".rstrip()


def configure(fmt: str) -> logging.Logger:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    logger = logging.getLogger("syncer.watch")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger

"""A JSON parser that turns every unreadable body into a 400.

DRF's ``JSONParser`` catches ``ValueError`` only: a deeply nested body makes the decoder raise
``RecursionError``, which would surface as a 500.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply") from exc

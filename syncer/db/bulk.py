"""Bulk inserts as ONE statement with ONE parameter: the rows as a JSON document, unpacked by the
database (``json_array_elements`` on PostgreSQL, ``json_each`` on SQLite).

Why not ``bulk_create``: on PostgreSQL, Django 5.2 sends one array per column (``UNNEST``), and
psycopg quotes every element of every array in Python (client-side binding): ~12 us an element,
two thirds of a 10,000-task apply. One JSON text is encoded by the C encoder and quoted once.
On SQLite, ``bulk_create`` splits the rows by the bound-parameter limit, so its statement count
grows with N; here it is one statement whatever N (SQLite >= 3.38 for ``->``).

The caller passes plain column values (str, int, bool, None, aware datetimes, dicts for JSON
columns); the model's fields give the SQL types. No signals, no ``save()``: like ``bulk_create``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models


def insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """INSERT the rows (values in ``columns`` order); return the ``returning`` columns' values of
    the inserted rows (in no particular order)."""
    if not rows:
        return []
    fields = [model._meta.get_field(name) for name in columns]
    names: list[str] = [field.column for field in fields]  # type: ignore[union-attr, misc]
    # Rows go as JSON arrays, as they are: only datetime columns need converting first.
    convert = [
        (index, _datetime_converter())
        for index, field in enumerate(fields)
        if isinstance(field, models.DateTimeField)
    ]
    if convert:
        copies = [list(row) for row in rows]
        for row in copies:
            for index, fn in convert:
                if row[index] is not None:
                    row[index] = fn(row[index])
        rows = copies
    payload = json.dumps(rows, separators=(",", ":"), ensure_ascii=False)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    target = ", ".join(quote(name) for name in names)
    if connection.vendor == "postgresql":
        picks = ", ".join(
            f"(x -> {i})::jsonb"
            if isinstance(field, models.JSONField)
            else f"(x ->> {i})::{_cast(field)}"
            for i, field in enumerate(fields)
        )
        source = f"SELECT {picks} FROM json_array_elements(%s::json) AS x"
    else:
        picks = ", ".join(
            f"value -> {i}" if isinstance(field, models.JSONField) else f"value ->> {i}"
            for i, field in enumerate(fields)
        )
        source = f"SELECT {picks} FROM json_each(%s)"
    sql = f"INSERT INTO {table} ({target}) {source}"
    if returning:
        back: list[str] = [model._meta.get_field(name).column for name in returning]  # type: ignore[union-attr, misc]
        sql += " RETURNING " + ", ".join(quote(name) for name in back)
    with connection.cursor() as cursor:
        cursor.execute(sql, [payload])
        return [tuple(row) for row in cursor.fetchall()] if returning else []


def _cast(field: Any) -> str:
    """The column's type for the cast from text; a varchar as text, so that the column itself
    refuses a value too long (an explicit cast to varchar(n) would cut it silently)."""
    db_type = str(field.db_type(connection))
    return "text" if db_type.startswith("varchar") else db_type


def _datetime_converter() -> Callable[[datetime], str]:
    """Aware datetime -> the text the column takes; memoised (``now`` repeats on every row)."""
    if connection.vendor == "postgresql":
        adapt: Callable[[datetime], str] = datetime.isoformat
    else:  # SQLite stores naive UTC text: Django's own adaptation
        adapt = connection.ops.adapt_datetimefield_value  # type: ignore[assignment]
    seen: dict[datetime, str] = {}

    def convert(value: datetime) -> str:
        text = seen.get(value)
        if text is None:
            text = seen[value] = adapt(value)
        return text

    return convert


def delete(model: type[models.Model], column: str, values: Sequence[int]) -> int:
    """DELETE the rows whose integer ``column`` is one of ``values``: one statement, one parameter
    (``column__in`` would bind one parameter per value, past SQLite's limit at ~32,000)."""
    if not values:
        return 0
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    name = quote(model._meta.get_field(column).column)  # type: ignore[union-attr, arg-type]
    if connection.vendor == "postgresql":
        among = "SELECT json_array_elements_text(%s::json)::bigint"
    else:
        among = "SELECT value FROM json_each(%s)"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {name} IN ({among})", [json.dumps(list(values))])
        return int(cursor.rowcount)

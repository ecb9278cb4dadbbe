"""Bulk INSERT, UPDATE and DELETE as ONE statement with ONE parameter: the rows as a JSON document,
unpacked by the database (``syncer.db.jsonrows``: ``jsonb_array_elements`` on PostgreSQL,
``json_each`` on SQLite, ``JSON_TABLE`` on MySQL/MariaDB).

Why not ``bulk_create`` / ``bulk_update``: on PostgreSQL, Django 5.2 sends one array per column
(``UNNEST``), and psycopg quotes every element of every array in Python (client-side binding):
~12 us an element, two thirds of a 10,000-task apply. One JSON text is encoded by the C encoder
and quoted once. On SQLite, Django splits the rows by its bound-parameter limit (999), so the
statement count grows with N; here it is one statement whatever N, on every vendor, with the
project's ordinary database settings.

The caller passes plain column values (str, int, bool, None, Decimal, aware datetimes, dicts for
JSON columns); the model's fields give the SQL types. No signals, no ``save()``: like
``bulk_create``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

from syncer.db import jsonrows


def insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """INSERT the rows (values in ``columns`` order); return the ``returning`` columns' values of
    the inserted rows, in no particular order, as the database returns them (no converters).

    Without ``INSERT ... RETURNING`` (MySQL 8; MariaDB has it since 10.5) they are read back: the
    rows whose primary key is at least the first one this insert generated. That can include rows
    another writer inserted meanwhile: pick yours by a value you inserted (a unique name).

    ``rows`` may be a generator (each row built when it is encoded); then it must not be empty."""
    if isinstance(rows, Sequence) and not rows:
        return []
    fields = _fields(model, columns)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    target = ", ".join(quote(field.column) for field in fields)
    vendor = jsonrows.dialect(connection)
    if not returning and vendor.copies(connection):
        _copy(f"COPY {table} ({target}) FROM STDIN", fields, rows)
        return []
    relation = vendor.relation(connection, fields, None)
    select = f"SELECT {', '.join(relation.values)} FROM {relation.source}"
    sql = f"INSERT INTO {table} ({target}) {select}"
    back = ", ".join(quote(field.column) for field in _fields(model, returning))
    returns = bool(returning) and vendor.returning(connection)
    if returns:
        sql += f" RETURNING {back}"
    out: list[tuple[Any, ...]] = []
    first_ids: list[int] = []
    with vendor.cursor(connection) as cursor:
        for payload in jsonrows.encode(connection, fields, rows):
            cursor.execute(sql, [payload])
            if returns:
                out += [tuple(row) for row in cursor.fetchall()]
            elif returning:
                first_ids.append(int(cursor.lastrowid))
        if first_ids:
            pk = quote(model._meta.pk.column)
            cursor.execute(f"SELECT {back} FROM {table} WHERE {pk} >= %s", [min(first_ids)])
            out = [tuple(row) for row in cursor.fetchall()]
    return out


def update(
    model: type[models.Model],
    key: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
) -> int:
    """UPDATE ``columns`` of the rows whose integer ``key`` is each row's first value (the others
    in ``columns`` order). Returns the number of rows matched."""
    if not rows:
        return 0
    fields = _fields(model, [key, *columns])
    quote = connection.ops.quote_name
    vendor = jsonrows.dialect(connection)
    relation = vendor.relation(connection, fields, 0)
    sets = [
        (quote(f.column), value) for f, value in zip(fields[1:], relation.values[1:], strict=True)
    ]
    sql = vendor.update(quote(model._meta.db_table), quote(fields[0].column), sets, relation)
    return _execute(sql, fields, rows)


def delete(model: type[models.Model], column: str, values: Sequence[int]) -> int:
    """DELETE the rows whose integer ``column`` is one of ``values``: one statement, one parameter
    (``column__in`` would bind one parameter per value, past SQLite's limit at ~32,000)."""
    if not values:
        return 0
    fields = _fields(model, [column])
    quote = connection.ops.quote_name
    vendor = jsonrows.dialect(connection)
    relation = vendor.relation(connection, fields, 0)
    sql = vendor.delete(quote(model._meta.db_table), quote(fields[0].column), relation)
    return _execute(sql, fields, [[value] for value in values])


def _copy(sql: str, fields: Sequence[jsonrows.Field], rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL with psycopg 3: the rows streamed to ``COPY ... FROM STDIN`` as they are made
    (one statement): no document of them all, which for the ledger's 100,000 entries was 62 MB,
    held three times over while it was sent. A JSON column's value goes as its text. Run through
    the connection's execute wrappers, as Django runs a statement (``cursor.copy`` alone would
    skip them)."""
    as_json = [i for i, field in enumerate(fields) if isinstance(field, models.JSONField)]

    def stream(sql: str, params: Any, many: bool, context: dict[str, Any]) -> None:
        with context["cursor"].copy(sql) as copy:
            for row in rows:
                if as_json:
                    row = list(row)
                    for index in as_json:
                        if row[index] is not None:
                            row[index] = jsonrows.dumps(row[index])
                copy.write_row(row)

    with connection.cursor() as cursor, connection.wrap_database_errors:
        executor: Callable[..., Any] = stream
        for wrapper in reversed(connection.execute_wrappers):
            executor = functools.partial(wrapper, executor)
        executor(sql, None, False, {"connection": connection, "cursor": cursor})


def _execute(sql: str, fields: Sequence[jsonrows.Field], rows: Sequence[Sequence[Any]]) -> int:
    count = 0
    with jsonrows.dialect(connection).cursor(connection) as cursor:
        for payload in jsonrows.encode(connection, fields, rows):
            cursor.execute(sql, [payload])
            count += int(cursor.rowcount)
    return count


def _fields(model: type[models.Model], names: Sequence[str]) -> list[jsonrows.Field]:
    return [model._meta.get_field(name) for name in names]

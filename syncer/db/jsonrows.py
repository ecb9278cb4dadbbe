"""Rows as ONE JSON parameter, unpacked by the database into a relation: the per-vendor part of the
bulk statements of ``syncer.db.bulk``, as a lookup table (vendor -> ``Dialect``).

- PostgreSQL: ``jsonb_array_elements``, each value cast to its column's type (a varchar as text,
  so that the column itself refuses a value too long: a cast to varchar(n) would cut it silently).
- SQLite (>= 3.38 for ``->>``, >= 3.33 for ``UPDATE ... FROM``): ``json_each``; the column's
  affinity converts.
- MySQL 8 / MariaDB 10.6+: ``JSON_TABLE``. Every value is extracted as text and converted by the
  target column, whose strict mode refuses what does not fit: JSON_TABLE's own typed conversion is
  lossy on MariaDB ('x' becomes 0, a bad datetime NULL, even with ``ERROR ON ERROR``). Only the key
  of an UPDATE or DELETE join is extracted as BIGINT, so that the join uses the primary key.
  Booleans go as 0/1 and JSON columns as their text (a path column holds scalars only). A row is an
  object keyed by position that leaves NULLs out: a missing path is NULL by definition (``NULL ON
  EMPTY``), where what a JSON ``null`` becomes in a text column is less certain across versions.

The payload is one statement whatever the number of rows, except past MySQL's
``max_allowed_packet`` (16 MiB by default on MariaDB, ~50,000 tasks): then it is split in as
few statements as fit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias, cast

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

Field: TypeAlias = Any  # a django.db.models.Field (Django itself ships no type hints)
Encoder: TypeAlias = Callable[[Any], Any]

# Below this many characters (at most 4 MiB of UTF-8) a payload is sent without asking the
# server's packet limit: every supported MySQL and MariaDB version defaults to 16 MiB or more.
SAFE_PAYLOAD_BYTES = 1 << 20
PACKET_MARGIN_BYTES = 64 << 10  # the statement text around the payload


@dataclass(frozen=True)
class Relation:
    """The rows as a FROM item (with one ``%s``: the JSON document) and the SQL expression of each
    position of a row."""

    source: str
    values: list[str]


@dataclass(frozen=True)
class Dialect:
    relation: Callable[[BaseDatabaseWrapper, Sequence[Field], int | None], Relation]
    encoder: Callable[[BaseDatabaseWrapper, Field], Encoder | None]  # None: the value as it is
    update: Callable[[str, str, Sequence[tuple[str, str]], Relation], str]
    delete: Callable[[str, str, Relation], str]
    packet_limit: Callable[[BaseDatabaseWrapper], int | None]  # largest payload, None: no limit
    cursor: Callable[[BaseDatabaseWrapper], Any] = lambda connection: connection.cursor()
    # An INSERT that returns nothing as ``COPY ... FROM STDIN``, the rows streamed (``bulk``)
    copies: Callable[[BaseDatabaseWrapper], bool] = lambda connection: False
    # INSERT ... RETURNING; else (MySQL 8) the ids are read back from the cursor's ``lastrowid``
    returning: Callable[[BaseDatabaseWrapper], bool] = lambda connection: True
    shape: Callable[[list[Any]], Any] = list  # a row of values -> its JSON form


def dialect(connection: BaseDatabaseWrapper) -> Dialect:
    try:
        return DIALECTS[connection.vendor]
    except KeyError:
        raise NotImplementedError(
            f"the syncer supports PostgreSQL, MySQL/MariaDB and SQLite, not {connection.vendor}"
        ) from None


def encode(
    connection: BaseDatabaseWrapper, fields: Sequence[Field], rows: Iterable[Sequence[Any]]
) -> list[str]:
    """The rows as JSON documents: one, unless the vendor's packet limit needs more.

    Row by row: each row is converted and encoded, then let go, so that the payload text is the
    only large object (at 100,000 tasks the ledger's rows as Python values were 400 MB more);
    ``rows`` may be a generator that builds each row when asked."""
    vendor = dialect(connection)
    converters = [
        (index, memoised(fn))
        for index, field in enumerate(fields)
        if (fn := vendor.encoder(connection, field)) is not None
    ]
    shape = vendor.shape

    def encoded(row: Sequence[Any]) -> str:
        values = list(row)
        for index, fn in converters:
            if values[index] is not None:
                values[index] = fn(values[index])
        return dumps(values if shape is list else shape(values))

    payload = "[" + ",".join(map(encoded, rows)) + "]"
    if len(payload) <= SAFE_PAYLOAD_BYTES:
        return [payload]
    limit = vendor.packet_limit(connection)
    return [payload] if limit is None else split(json.loads(payload), payload, limit)


def split(rows: Sequence[Any], payload: str, limit: int) -> list[str]:
    """``payload`` (the JSON of ``rows``) as several documents of at most ``limit`` bytes each."""
    if len(payload.encode()) <= limit:
        return [payload]
    if len(rows) == 1:
        raise ValueError(f"one row takes more than the server's packet limit ({limit} bytes)")
    parts = max(2, math.ceil(len(payload.encode()) / limit))
    size = math.ceil(len(rows) / parts)
    out: list[str] = []
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        out += split(chunk, dumps(chunk), limit)
    return out


def memoised(fn: Encoder) -> Encoder:
    """The same value repeats on many rows (``now`` on every row): convert it once."""
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            out = seen[value] = fn(value)
            return out
        except TypeError:  # unhashable (a dict for a JSON column)
            return fn(value)

    return convert


def dumps(value: Any) -> str:
    """Compact JSON of a row, of rows, or of a JSON column's value (``bulk``'s COPY)."""
    return _encode(value)


# One encoder for every row (json.dumps with options builds a new one per call).
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


# --- PostgreSQL ----------------------------------------------------------------------------------


def _pg_relation(
    connection: BaseDatabaseWrapper, fields: Sequence[Field], key: int | None
) -> Relation:
    values = [
        f"(x -> {i})"
        if isinstance(field, models.JSONField)
        else f"(x ->> {i})::{_pg_cast(connection, field)}"
        for i, field in enumerate(fields)
    ]
    # jsonb: the document is parsed once; each ``->>`` of a ``json`` element parses its text
    # again (20 columns: 20 parses a row, ~0.5 s of a 10,000-row INSERT).
    return Relation("jsonb_array_elements(%s::jsonb) AS x", values)


def _pg_cursor(connection: BaseDatabaseWrapper) -> Any:
    """psycopg 3: the document sent as a bound parameter (server-side binding), through Django's
    cursor wrapper all the same (query log, ``execute_wrapper`` hooks, error translation). The
    projects' usual cursor binds on the client: it quotes the document into the statement's text,
    two more copies of it, which the server then lexes (~0.1 s and ~20 MB at 10,000 tasks,
    ~200 MB of peak memory at 100,000). Never prepared: a pooler in transaction mode (PgBouncer)
    keeps no session to prepare it in. psycopg2 binds on the client only."""
    if not _psycopg3(connection):
        return connection.cursor()
    connection.validate_thread_sharing()
    cursor = _BoundCursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def _psycopg3(connection: BaseDatabaseWrapper) -> bool:
    connection.ensure_connection()
    return _BoundCursor is not None and isinstance(
        connection.connection, _BoundCursor.connection_type
    )


def _bound_cursor_class() -> Any:
    try:
        import psycopg
    except ImportError:  # psycopg2, or no PostgreSQL at all
        return None

    class BoundCursor(psycopg.Cursor):
        connection_type = psycopg.Connection

        def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
            return super().execute(query, params, **{**options, "prepare": False})

    return BoundCursor


_BoundCursor = _bound_cursor_class()


def _pg_cast(connection: BaseDatabaseWrapper, field: Field) -> str:
    db_type = str(field.db_type(connection))
    return "text" if db_type.startswith("varchar") else db_type


def _pg_encoder(connection: BaseDatabaseWrapper, field: Field) -> Encoder | None:
    if isinstance(field, models.DateTimeField):
        return datetime.isoformat  # keeps the offset: the cast to timestamptz reads it
    return str if isinstance(field, models.DecimalField) else None


# --- SQLite --------------------------------------------------------------------------------------


def _sqlite_relation(
    connection: BaseDatabaseWrapper, fields: Sequence[Field], key: int | None
) -> Relation:
    values = [
        f"x.value -> {i}" if isinstance(field, models.JSONField) else f"x.value ->> {i}"
        for i, field in enumerate(fields)
    ]
    return Relation("json_each(%s) AS x", values)


def _naive_utc_encoder(connection: BaseDatabaseWrapper, field: Field) -> Encoder | None:
    """SQLite and MySQL store datetimes as naive UTC: Django's own adaptation."""
    if isinstance(field, models.DateTimeField):
        return cast(Encoder, connection.ops.adapt_datetimefield_value)
    return str if isinstance(field, models.DecimalField) else None


def _from_update(table: str, key: str, sets: Sequence[tuple[str, str]], rows: Relation) -> str:
    """PostgreSQL and SQLite: ``UPDATE ... FROM``."""
    assignments = ", ".join(f"{column} = {value}" for column, value in sets)
    where = f"{table}.{key} = {rows.values[0]}"
    return f"UPDATE {table} SET {assignments} FROM {rows.source} WHERE {where}"


def _in_delete(table: str, key: str, rows: Relation) -> str:
    return f"DELETE FROM {table} WHERE {key} IN (SELECT {rows.values[0]} FROM {rows.source})"


# --- MySQL / MariaDB -----------------------------------------------------------------------------


def _mysql_relation(
    connection: BaseDatabaseWrapper, fields: Sequence[Field], key: int | None
) -> Relation:
    columns = ", ".join(
        f"c{i} {'BIGINT' if i == key else 'LONGTEXT'} PATH '$.\"{i}\"' ERROR ON ERROR"
        for i in range(len(fields))
    )
    return Relation(
        f"JSON_TABLE(%s, '$[*]' COLUMNS ({columns})) AS x", [f"x.c{i}" for i in range(len(fields))]
    )


def _without_nulls(row: list[Any]) -> dict[str, Any]:
    return {str(i): value for i, value in enumerate(row) if value is not None}


def _mysql_encoder(connection: BaseDatabaseWrapper, field: Field) -> Encoder | None:
    if isinstance(field, models.BooleanField):
        return int  # the text 'true' is not an integer to a tinyint column
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, ensure_ascii=False)
    return _naive_utc_encoder(connection, field)


def _join_update(table: str, key: str, sets: Sequence[tuple[str, str]], rows: Relation) -> str:
    assignments = ", ".join(f"target.{column} = {value}" for column, value in sets)
    return (
        f"UPDATE {table} AS target JOIN {rows.source} ON target.{key} = {rows.values[0]} "
        f"SET {assignments}"
    )


def _join_delete(table: str, key: str, rows: Relation) -> str:
    """A join, not ``IN (subquery)``: MariaDB runs a single-table DELETE's subquery per row."""
    join = f"JOIN {rows.source} ON target.{key} = {rows.values[0]}"
    return f"DELETE target FROM {table} AS target {join}"


def _mysql_packet_limit(connection: BaseDatabaseWrapper) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@max_allowed_packet")
        return int(cursor.fetchone()[0]) - PACKET_MARGIN_BYTES


DIALECTS: dict[str, Dialect] = {
    "postgresql": Dialect(
        _pg_relation,
        _pg_encoder,
        _from_update,
        _in_delete,
        lambda c: None,
        cursor=_pg_cursor,
        copies=_psycopg3,
    ),
    "sqlite": Dialect(
        _sqlite_relation, _naive_utc_encoder, _from_update, _in_delete, lambda c: None
    ),
    "mysql": Dialect(
        _mysql_relation,
        _mysql_encoder,
        _join_update,
        _join_delete,
        _mysql_packet_limit,
        returning=lambda connection: bool(connection.features.can_return_rows_from_bulk_insert),
        shape=_without_nulls,
    ),
}

"""Django's SQLite backend, told the real limit of bound parameters of the linked SQLite.

Django assumes SQLite's historical 999 (``max_query_params``), which splits a bulk write of a few
thousand tasks into dozens of statements; SQLite >= 3.32 allows 32,766, and Python >= 3.11 can ask.
"""

import sqlite3

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):  # type: ignore[no-untyped-def]
        conn = super().get_new_connection(conn_params)
        self.features.max_query_params = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        return conn

"""The DB side of the kind registry: a table per core kind, rows <-> canonical values."""

from datetime import UTC, datetime

from syncer.core.kinds import KINDS as CORE_KINDS
from syncer.core.kinds.clocked import ClockedKey
from syncer.core.kinds.crontab import CrontabKey
from syncer.core.kinds.interval import IntervalKey
from syncer.core.kinds.solar import SolarKey
from syncer.db.kinds import KINDS, table_of

KEYS = [
    IntervalKey(90, "seconds"),
    CrontabKey("0", "3", "*", "*", "mon-fri", "Europe/Berlin"),
    SolarKey("sunset", "52.520000", "-13.405000"),
    ClockedKey(datetime(2030, 1, 1, tzinfo=UTC)),
]


def test_one_table_per_core_kind():
    assert list(KINDS) == list(CORE_KINDS)
    assert sorted(key.kind for key in KEYS) == sorted(KINDS)


def test_columns_and_back_give_the_same_value():
    for key in KEYS:
        table = table_of(key)
        columns = table.to_columns(key)
        assert tuple(columns) == table.columns
        assert table.to_key(tuple(columns.values())) == key


def test_an_interval_row_compares_in_the_files_form():
    table = KINDS["interval"]
    assert table.comparable(IntervalKey(60, "seconds")) == IntervalKey(1, "minutes")
    assert table.comparable(IntervalKey(90, "seconds")) == IntervalKey(90, "seconds")

import pytest

from syncer.core.durations import DurationError, parse_duration, to_interval


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3s", (3, "seconds")),
        ("90 seconds", (90, "seconds")),
        ("90s", (90, "seconds")),
        ("300s", (5, "minutes")),
        ("5m", (5, "minutes")),
        ("5 minutes", (5, "minutes")),
        ("2h", (2, "hours")),
        ("1d", (1, "days")),
        ("1h30m", (90, "minutes")),
        ("1h 30m", (90, "minutes")),
        ("250ms", (250_000, "microseconds")),
        ("10us", (10, "microseconds")),
        ("1s500ms", (1_500_000, "microseconds")),
        ("2w", (14, "days")),
        (60, (1, "minutes")),
        (45, (45, "seconds")),
        ("86400", (1, "days")),
        ("24h", (1, "days")),
    ],
)
def test_every_is_stored_in_the_largest_exact_period(value, expected):
    assert to_interval(parse_duration(value)) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "greater than zero"),
        (-5, "greater than zero"),
        ("0s", "greater than zero"),
        ("-3s", "greater than zero"),
        ("3 parsecs", "unknown unit 'parsecs'"),
        ("soon", "cannot read 'soon'"),
        ("3s3s", "appears twice"),
        (True, "expected a duration"),
        (1.5, "expected a duration"),
        (10**30, "too long"),
        ("1000001d", "too long: at most 1000000 days"),
    ],
)
def test_bad_durations_are_explained(value, message):
    with pytest.raises(DurationError, match=message):
        to_interval(parse_duration(value))

import pytest

from syncer.core import cron


def errors(text: str) -> list[str]:
    return [f"{e.field}: {e}" for e in cron.check(cron.parse_text(text))]


@pytest.mark.parametrize(
    "text", ["0 3 * * mon-fri", "*/15 9-17 * * 1-5", "0 0 1 jan-mar *", "0 0 29 2 *", "@daily"]
)
def test_valid_expressions(text):
    assert errors(text) == []


@pytest.mark.parametrize(
    ("alias", "expression"),
    [("@hourly", "0 * * * *"), ("@weekly", "0 0 * * 0"), ("@annually", "0 0 1 1 *")],
)
def test_aliases_expand(alias, expression):
    assert cron.parse_text(alias).expression() == expression


def test_never_firing_cron_is_an_error():
    assert any("never" in e for e in errors("0 0 31 2 *"))
    assert any("never" in e for e in errors("0 0 30,31 2 *"))


def test_names_that_celery_accepts_but_django_celery_beat_refuses_get_a_suggestion():
    assert errors("* * * * monday") == [
        "day_of_week: 'monday' is accepted by Celery but not by django-celery-beat "
        "(Unrecognised Day of Week: 'monday'); write 'mon' instead"
    ]
    fields = cron.from_mapping({"hour": "0, 6, 12, 18"})
    [error] = cron.check(fields)
    assert error.field == "hour" and "write '0,6,12,18' instead" in str(error)


def test_spaces_in_a_list_break_the_field_count_with_a_hint():
    with pytest.raises(cron.CronError, match="lists take no spaces: '0,6 \\* \\* \\* \\*'"):
        cron.parse_text("0, 6 * * * *")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("61 * * * *", "minute"),
        ("* 24 * * *", "hour"),
        ("* * 0 * *", "day_of_month"),
        ("* * * 13 *", "month_of_year"),
        ("* * * * 8", "day_of_week"),
        ("0 */48 * * *", "hour"),
    ],
)
def test_out_of_range_fields_name_the_field(text, field):
    [error] = cron.check(cron.parse_text(text))
    assert error.field == field


def test_wrong_field_count_and_unknown_alias():
    with pytest.raises(cron.CronError, match="expected 5 fields"):
        cron.parse_text("* * * *")
    with pytest.raises(cron.CronError, match="unknown alias"):
        cron.parse_text("@fortnightly")


def test_mapping_form_fills_stars_and_accepts_integers():
    assert cron.from_mapping({"minute": 0, "hour": 3}).expression() == "0 3 * * *"

from datetime import UTC, datetime

from syncer.core.lints import lint
from tests.helpers import desired_from, messages

NOW = datetime(2026, 1, 10, tzinfo=UTC)


def lints(tmp_path, body: str) -> list[str]:
    desired = desired_from(tmp_path, {"a.yaml": "tasks:\n" + body})
    assert desired.errors == []
    desired.problems = lint(desired, NOW)
    return messages(desired, tmp_path)


def test_minute_star_with_a_restricted_hour(tmp_path):
    assert lints(tmp_path, "  t: {task: tasks.print_hello, cron: '* 9-17 * * *'}\n") == [
        "a.yaml:2:32: task 't': cron: warning: minute is '*' with hour '9-17': fires every "
        "minute of those hours (60 times an hour); did you mean minute '0'?"
    ]


def test_step_larger_than_its_range(tmp_path):
    [message] = lints(tmp_path, "  t: {task: tasks.print_hello, cron: '0 0 */31 * *'}\n")
    assert (
        "day_of_month '*/31': the step 31 is larger than the range 1-31, so it means 1 only"
        in message
    )
    [message] = lints(tmp_path, "  t: {task: tasks.print_hello, cron: '10-20/15 * * * *'}\n")
    assert "minute '10-20/15': the step 15 is larger than the range 10-20" in message


def test_day_of_month_and_day_of_week_both_restricted(tmp_path):
    [message] = lints(tmp_path, "  t: {task: tasks.print_hello, cron: '0 0 13 * fri'}\n")
    assert "Celery runs only on days matching both" in message


def test_dst_gap_and_overlap_in_europe_berlin_and_new_york(tmp_path):
    found = lints(
        tmp_path,
        "  berlin: {task: tasks.print_hello, cron: '30 2 * * *', timezone: Europe/Berlin}\n"
        "  ny: {task: tasks.print_hello, cron: '30 1 * * sun', timezone: America/New_York}\n"
        "  safe: {task: tasks.print_hello, cron: '0 12 * * *', timezone: Europe/Berlin}\n"
        "  utc: {task: tasks.print_hello, cron: '30 2 * * *'}\n",
    )
    assert found == [
        "a.yaml:2:57: task 'berlin': timezone: warning: 2026-03-29 02:30 does not exist in "
        "Europe/Berlin (DST starts): beat runs that day's run at a shifted time",
        "a.yaml:2:57: task 'berlin': timezone: warning: 2026-10-25 02:30 occurs twice in "
        "Europe/Berlin (DST ends): beat runs once, at the first occurrence; the interval to the "
        "next run is an hour longer",
        "a.yaml:3:55: task 'ny': timezone: warning: 2026-11-01 01:30 occurs twice in "
        "America/New_York (DST ends): beat runs once, at the first occurrence; the interval to "
        "the next run is an hour longer",
    ]


def test_sub_second_interval_and_past_clocked_time(tmp_path):
    found = lints(
        tmp_path,
        "  fast: {task: tasks.print_hello, every: 250ms}\n"
        "  past: {task: tasks.print_hello, clocked: '2020-01-01T00:00:00Z'}\n"
        "  fine: {task: tasks.print_hello, every: 1s}\n",
    )
    assert [m.split(": warning: ")[0] for m in found] == [
        "a.yaml:2:35: task 'fast': every",
        "a.yaml:3:35: task 'past': clocked",
    ]


def test_a_bare_yaml_11_boolean_word_in_arguments_is_a_warning(tmp_path):
    desired = desired_from(
        tmp_path,
        {
            "a.yaml": """\
            tasks:
              a:
                task: tasks.write_to_file
                every: 1m
                kwargs: {text: NO, quoted: 'no', real: false}
                args: [on, Yes]
                headers:
                  h: off
                enabled: yes
              b:
                task: tasks.print_hello
                every: 1m
            """
        },
    )
    assert [str(p) for p in lint(desired, NOW) if "YAML 1.1" in p.message] == [
        f"{tmp_path}/a.yaml:5:20: task 'a': kwargs: warning: NO is read as the boolean false "
        "(YAML 1.1); write 'NO' for the text",
        f"{tmp_path}/a.yaml:6:12: task 'a': args: warning: on is read as the boolean true "
        "(YAML 1.1); write 'on' for the text",
        f"{tmp_path}/a.yaml:6:16: task 'a': args: warning: Yes is read as the boolean true "
        "(YAML 1.1); write 'Yes' for the text",
        f"{tmp_path}/a.yaml:8:10: task 'a': headers: warning: off is read as the boolean false "
        "(YAML 1.1); write 'off' for the text",
    ]


def test_tasks_hitting_the_same_dst_transition_share_one_text_line(tmp_path):
    from syncer.core.render import problems_json, problems_text

    body = (
        "".join(
            f"  t{i}: {{task: tasks.print_hello, cron: '{i} 2 * * *', timezone: Europe/Berlin}}\n"
            for i in range(5)
        )
        + "  ny: {task: tasks.print_hello, cron: '30 1 * * sun', timezone: America/New_York}\n"
    )
    desired = desired_from(tmp_path, {"a.yaml": "tasks:\n" + body})
    problems = lint(desired, NOW)
    text = problems_text(problems).replace(str(tmp_path) + "/", "")
    assert text.splitlines() == [
        "a.yaml:2:52: timezone: warning: 2026-03-29 02:00-03:00 does not exist in Europe/Berlin "
        "(DST starts): beat runs these tasks' runs in it at a shifted time: 5 tasks: "
        "'t0' (a.yaml:2:52), 't1' (a.yaml:3:52), 't2' (a.yaml:4:52), and 2 more",
        "a.yaml:2:52: timezone: warning: 2026-10-25 02:00-03:00 occurs twice in Europe/Berlin "
        "(DST ends): beat runs these tasks once, at the first occurrence; the interval to their "
        "next run is an hour longer: 5 tasks: 't0' (a.yaml:2:52), 't1' (a.yaml:3:52), "
        "'t2' (a.yaml:4:52), and 2 more",
        # alone in its group: the task's own line
        "a.yaml:7:55: task 'ny': timezone: warning: 2026-11-01 01:30 occurs twice in "
        "America/New_York (DST ends): beat runs once, at the first occurrence; the interval to "
        "the next run is an hour longer",
    ]
    # JSON keeps one problem per task, each with its own fire time
    import json

    listed = json.loads(problems_json(problems))["problems"]
    assert len(listed) == 11
    assert {p["task"] for p in listed} == {"t0", "t1", "t2", "t3", "t4", "ny"}
    assert "2026-03-29 02:04 does not exist in Europe/Berlin" in listed[8]["message"]


def test_dst_transitions_sampled_daily_are_those_found_minute_by_minute():
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from syncer.core.kinds.crontab_lints import _transitions

    for zone in (
        "Europe/Berlin",
        "America/Sao_Paulo",
        "Australia/Lord_Howe",  # half-hour DST
        "Europe/Dublin",  # negative DST in the tz database
        "Africa/Casablanca",  # Ramadan: two changes a few weeks apart
        "Asia/Tokyo",  # none
    ):
        tz = ZoneInfo(zone)
        expected = []
        t = datetime(2026, 1, 1, tzinfo=UTC)
        previous = t.astimezone(tz).utcoffset()
        while t < datetime(2028, 1, 1, tzinfo=UTC):
            t += timedelta(minutes=15)  # every zone changes on a quarter hour
            offset = t.astimezone(tz).utcoffset()
            if offset != previous:
                expected.append((t, previous, offset))
                previous = offset
        assert list(_transitions(zone, 2026)) == expected, zone

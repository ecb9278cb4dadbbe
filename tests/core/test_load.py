import pytest

from syncer.core.context import Limits
from syncer.core.load import LoadError, LocDict, discover, load_text


def test_every_key_knows_its_line_and_column():
    data = load_text("f", b"version: 1\ntasks:\n  a:\n    task: x\n    every: 3s\n")
    assert isinstance(data, LocDict)
    assert data.key_marks["tasks"] == (2, 1)
    assert data["tasks"].key_marks["a"] == (3, 3)
    assert data["tasks"]["a"].key_marks["every"] == (5, 5)


def test_duplicate_keys_are_errors_with_both_lines():
    with pytest.raises(
        LoadError, match="duplicate key 'task' \\(first defined on line 3\\)"
    ) as info:
        load_text("f", b"tasks:\n  a:\n    task: x\n    task: y\n")
    assert (info.value.line, info.value.column) == (4, 5)


def test_merge_keys_are_not_duplicates_and_explicit_keys_win():
    data = load_text("f", b"base: &b {queue: q, every: 3s}\nt:\n  <<: *b\n  every: 5s\n")
    assert data["t"] == {"queue": "q", "every": "5s"}


def test_tags_never_construct_objects():
    with pytest.raises(LoadError, match="could not determine a constructor"):
        load_text("f", b"a: !!python/object/apply:os.system ['touch /tmp/pwned']\n")


def test_alias_bomb_is_refused_before_expansion():
    lines = ["a: &a [1,1,1,1,1,1,1,1,1]"]
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(LoadError, match="expands to more than"):
        load_text("f", "\n".join(lines).encode())


def test_timestamps_stay_strings():
    assert load_text("f", b"a: 2026-01-01T00:00:00+01:00\n") == {"a": "2026-01-01T00:00:00+01:00"}


def test_syntax_errors_and_bad_bytes_have_a_line():
    with pytest.raises(LoadError) as info:
        load_text("f", b"a:\n  b: [1, 2\n")
    assert info.value.line >= 2
    with pytest.raises(LoadError, match="UTF-8") as info:
        load_text("f", b"a: 1\nb: \xff\n")
    assert info.value.line == 2


def test_size_limit():
    with pytest.raises(LoadError, match="larger than the limit of 10 "):
        load_text("f", b"a: 12345678901234\n", Limits(max_file_bytes=10))


def test_discover_is_recursive_sorted_and_reports_odd_entries(tmp_path):
    (tmp_path / "b.yaml").write_text("tasks: {}\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yml").write_text("tasks: {}\n")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / ".hidden.yaml").write_text("x")
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    found, problems = discover([tmp_path, tmp_path / "missing"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["b.yaml", "sub/a.yml"]
    text = sorted(str(p).replace(str(tmp_path) + "/", "") for p in problems)
    assert text == [
        "dir.yaml: is a directory, not a schedule file",
        "loop.yaml: not a regular file (broken or looping link?)",
        "missing: no such file or directory",
    ]

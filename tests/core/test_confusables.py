"""Names that look alike (UTS #39 skeletons, mixed scripts) and the generated Unicode tables."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncer.core import unicode_confusables, unicode_hidden
from syncer.core.confusables import ASCII_PROTOTYPES, mixed_script, script_names, skeleton
from syncer.core.escape import HIDDEN_RE


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("payments", "p\u0430yments"),  # Cyrillic a
        ("paypal", "paypa1"),  # digit one
        ("billing", "bi\u04cf\u04cfing"),  # Cyrillic palochka
        ("modern", "rnodern"),  # rn for m
        ("cafe\u0301", "caf\u00e9"),  # the same after NFD
        ("a b", "a\u00a0b"),  # a no-break space for a space
        ("OSLO", "\u039f\u0405\u13de\u039f"),  # Greek, Cyrillic and Cherokee capitals
    ],
)
def test_names_that_look_alike_have_the_same_skeleton(one, other):
    assert one != other and skeleton(one) == skeleton(other)


@given(st.text(st.characters(max_codepoint=0x7F)) | st.text())
def test_the_skeleton_is_uts39s_definition(text):
    """NFD, each character replaced by its prototype, NFD again (ASCII text takes a fast path)."""
    nfd = unicodedata.normalize("NFD", text)
    definition = unicodedata.normalize("NFD", nfd.translate(unicode_confusables.PROTOTYPES))
    assert skeleton(text) == definition


@pytest.mark.parametrize(
    ("one", "other"), [("payments", "payment"), ("billing-a", "billing-b"), ("A", "a")]
)
def test_different_names_have_different_skeletons(one, other):
    assert skeleton(one) != skeleton(other)


@pytest.mark.parametrize(
    "name",
    [
        "tasks.print_hello",
        "Bericht-für-Team-1",
        "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac-2",  # Greek
        "\u6771\u4eac\u30bf\u30ef\u30fc",  # Han and Katakana: Japanese
        "\u3072\u3089\u304c\u306a\u6f22\u5b57",  # Hiragana and Han
        "\ud55c\uad6d\uc5b4\u6f22\u5b57",  # Hangul and Han: Korean
        "\u0645\u0631\u062d\u0628\u0627 123",  # Arabic and digits
    ],
)
def test_names_of_one_writing_system_do_not_mix_scripts(name):
    assert mixed_script(name) is None


def test_a_name_that_mixes_scripts_names_the_first_character_that_does_not_fit():
    found = mixed_script("p\u0430yments")
    assert found is not None
    assert (found.index, found.char) == (1, "\u0430")
    assert (script_names(found.scripts), script_names(found.before)) == ("Cyrillic", "Latin")
    found = mixed_script("\u03b1-1-b")
    assert found is not None and (found.index, found.char) == (4, "b")
    assert script_names(found.before) == "Greek"


def test_the_generated_tables_hold_every_hidden_character_this_python_knows():
    """Python's own Unicode data (an older version than the tables') agrees: every control,
    format character, line or paragraph separator and surrogate it knows is in the table."""
    assert unicode_hidden.UNICODE_VERSION == unicode_confusables.UNICODE_VERSION == "17.0.0"
    missing = [
        hex(point)
        for point in range(sys.maxunicode + 1)
        if unicodedata.category(chr(point)) in ("Cc", "Cf", "Zl", "Zp", "Cs")
        and HIDDEN_RE.match(chr(point)) is None
    ]
    assert missing == []
    assert len(unicode_confusables.PROTOTYPES) > 6000
    assert unicode_confusables.PROTOTYPES[ord("\u0430")] == "a"


def test_the_ascii_prototypes_are_the_generated_tables_ascii_entries():
    # skeleton() of an ASCII name reads only these, without importing the whole table
    ascii = {code: p for code, p in unicode_confusables.PROTOTYPES.items() if code < 0x80}
    assert ascii == ASCII_PROTOTYPES


def test_an_ascii_skeleton_needs_no_import_of_the_whole_table():
    import subprocess

    code = (
        "import sys; from syncer.core.confusables import skeleton; "
        "assert skeleton('mail-job-1|I') == 'rnail-job-lll'; "
        "assert 'syncer.core.unicode_confusables' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

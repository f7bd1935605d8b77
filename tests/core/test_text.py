"""Control and invisible characters are refused, named, in both languages."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from alliance.core.errors import InvalidInput
from alliance.core.text import CleanName, CleanText, check_text


@pytest.mark.parametrize(
    ("value", "code_point"),
    [
        ("HQ\x00", "U+0000"),  # PostgreSQL cannot store NUL at all
        ("a\tb", "U+0009"),  # a name is one line
        ("a\nb", "U+000A"),
        ("a\x7fb", "U+007F"),
        ("a\x85b", "U+0085"),  # C1 control
        ("usa\u202ejfhq", "U+202E"),  # right-to-left override ("Trojan Source")
        ("jjoc\u2066x", "U+2066"),  # left-to-right isolate
        ("jpn\u200b-jjoc", "U+200B"),  # zero-width space: two names that look the same
        ("\ufeffJJOC", "U+FEFF"),  # byte-order mark
        ("a\u2028b", "U+2028"),  # line separator
    ],
)
def test_names_refuse_controls_and_invisible_characters(value: str, code_point: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_text(value, kind="name", field="name_en")
    err = caught.value
    assert err.code == "control_character"
    assert err.field == "name_en"
    assert code_point in err.message.en
    assert code_point in err.message.ja


@pytest.mark.parametrize(
    "value",
    [
        "Joint Operations Command",
        "統合作戦司令部",
        "第1水上戦群　横須賀",
        "Ōminato",
        "A-10 / F-35B",
    ],
)
def test_ordinary_names_in_both_languages_pass(value: str) -> None:
    assert check_text(value, kind="name") == value


def test_running_text_keeps_line_breaks_tabs_and_joiners() -> None:
    value = "Line one\n\tLine two\r\nعربي\u200f and 👩\u200d💻"
    assert check_text(value, kind="text") == value


@pytest.mark.parametrize(("value", "code_point"), [("a\x00b", "U+0000"), ("x\u202ey", "U+202E")])
def test_running_text_refuses_nul_and_bidi_overrides(value: str, code_point: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_text(value, kind="text", field="note_en")
    assert caught.value.code == "control_character"
    assert code_point in caught.value.message.en


class _Model(BaseModel):
    name: CleanName
    note: CleanText = ""


def test_pydantic_types_keep_the_code_and_the_japanese() -> None:
    with pytest.raises(ValidationError) as caught:
        _Model(name="JJOC\u202e", note="ok")
    (error,) = caught.value.errors()
    assert error["type"] == "control_character"
    assert error["loc"] == ("name",)
    assert "U+202E" in error["msg"]
    assert "U+202E" in error["ctx"]["ja"]
    assert _Model(name="JJOC", note="a\nb").note == "a\nb"

"""The facts view reads the packaged files as released: a nation the files'
marking does not name sees none of it; the text listing shows the corrected tree."""

from __future__ import annotations

from alliance.org.facts import facts_view, render_text


def test_a_nation_the_files_are_not_released_to_sees_no_facts() -> None:
    facts = facts_view("GBR")
    assert facts.public == []
    assert facts.exercise.assumptions == []
    assert facts_view("JPN").public
    assert facts_view("USA").exercise.assumptions


def test_the_listing_shows_usfj_under_indopacom_and_components_under_their_service() -> None:
    text = render_text(facts_view("USA"))
    lines = text.splitlines()

    def depth(name: str) -> int:
        line = next(x for x in lines if x.lstrip().startswith(name) and "[" in x)
        return len(line) - len(line.lstrip())

    def parent_of(name: str) -> str:
        i = next(i for i, x in enumerate(lines) if x.lstrip().startswith(name) and "[" in x)
        d = depth(name)
        for x in reversed(lines[:i]):
            if "[" in x and len(x) - len(x.lstrip()) < d:
                return x.strip().split(" / ")[0]
        raise AssertionError(name)

    assert parent_of("U.S. Forces Japan") == "U.S. Indo-Pacific Command"
    assert parent_of("U.S. Army Japan") == "U.S. Army Pacific"
    assert parent_of("Commander, U.S. Naval Forces Japan") == "U.S. Pacific Fleet"
    assert parent_of("Fifth Air Force") == "Pacific Air Forces"
    assert parent_of("U.S. Marine Corps Forces Japan") == "U.S. Marine Corps Forces, Pacific"
    assert (
        "U.S. Forces Japan → Fifth Air Force / 在日米軍司令部 → 第5空軍 — component (dual-hatted"
        in text
    )
    assert "構成部隊（指揮官兼務） from 2025-10-29  as of 2025-10-29" in text  # a day, not a moment
    assert "Japan Joint Operations Command ↔ U.S. Forces Japan" in text
    assert "[exercise assumption — fictional / 演習想定（架空）]" in text
    assert "mod-wp2025-c2 (primary source / 一次資料): 防衛省" in text

"""The ACM's words are in the glossary, in both languages, and the desk says
them as the glossary does (``core/glossary/acm.yaml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

import alliance
from alliance.acm import Course, Grade, Level, ResponseKind
from alliance.acm.status import LEVEL_NAMES

GLOSSARY = Path(alliance.__file__).parent / "core" / "glossary" / "acm.yaml"


def _terms() -> dict[str, dict[str, Any]]:
    doc = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    terms = doc["terms"]
    ids = [t["id"] for t in terms]
    assert len(ids) == len(set(ids)), "a term id appears twice"
    return {t["id"]: t for t in terms}


def test_every_acm_term_has_both_languages_and_paired_notes() -> None:
    for ident, term in _terms().items():
        assert term["en"].strip(), ident
        assert term["ja"].strip(), ident
        assert term["en"] != term["ja"], ident
        assert ("note_en" in term) == ("note_ja" in term), ident
        source = term.get("source")
        if source is not None:
            assert {"title", "publisher", "url", "read"} <= set(source), ident


def test_every_response_kind_grade_level_and_course_the_desk_uses_is_a_term() -> None:
    terms = _terms()
    used = [
        *(k.value for k in ResponseKind),
        *(f"comment_{g.value}" for g in Grade),
        *(f"acm_{lv.value}" for lv in Level),
        *(c.value for c in Course),
    ]
    assert sorted(u for u in used if u not in terms) == []
    # The tiers read as the glossary names them (the Japanese names of the Guidelines).
    for level, name in LEVEL_NAMES.items():
        assert name.ja.startswith(terms[f"acm_{level.value}"]["ja"]), level
        assert name.en == terms[f"acm_{level.value}"]["en"], level

"""The bilingual glossary: every term in both languages, ids unique, notes paired."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from alliance.core import glossary
from alliance.core.glossary import GlossaryError, parse_terms, term, terms
from alliance.core.i18n import Text
from alliance.org.models import REL_NAMES, HqKind, RelKind


def test_every_glossary_term_has_both_languages_and_a_unique_id() -> None:
    found = terms()
    assert found, "the glossary is empty"
    for t in found.values():
        assert t.text.en.strip(), t.id
        assert t.text.ja.strip(), t.id
        if t.note is not None:
            assert t.note.en.strip(), t.id
            assert t.note.ja.strip(), t.id
    # ids are unique across files: counting them file by file gives the same total
    folder = resources.files(glossary.__name__)
    total = sum(
        len(parse_terms(f.read_text(encoding="utf-8"), f.name))
        for f in folder.iterdir()
        if f.name.endswith(".yaml")
    )
    assert total == len(found)


def test_a_term_is_read_in_both_languages() -> None:
    assert term("rel_cocom") == Text(
        "combatant command (command authority) (COCOM)", "戦闘軍指揮権（COCOM）"
    )
    assert term("rel_opcon").ja == "作戦統制（OPCON）"


def test_an_unknown_term_names_the_id() -> None:
    with pytest.raises(KeyError, match="no_such_term"):
        term("no_such_term")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("terms:\n  - {id: a_b, en: only English}\n", "'ja' must be non-empty"),
        ("terms:\n  - {id: a_b, en: x, ja: ''}\n", "'ja' must be non-empty"),
        ("terms:\n  - {id: a_b, en: x, ja: y, note_en: n}\n", "note_en and note_ja"),
        ("terms:\n  - {id: A-b, en: x, ja: y}\n", "snake_case"),
        ("terms:\n  - {id: a_b, en: x, ja: y, colour: red}\n", "unknown keys"),
        (
            "terms:\n  - {id: a_b, en: x, ja: y, source: {title: t, publisher: p, url: u, read: 2026-12-02}}\n",
            "web address",
        ),
        ("terms: {}\n", "a list under 'terms'"),
    ],
)
def test_a_glossary_file_that_breaks_the_form_is_refused_naming_the_term(
    text: str, message: str
) -> None:
    with pytest.raises(GlossaryError, match=message):
        parse_terms(text, "sample")


def test_every_hq_kind_and_relationship_kind_is_a_glossary_term() -> None:
    for hq_kind in HqKind:
        assert hq_kind.label == term(f"hq_kind_{hq_kind.value}")
    for rel_kind in RelKind:
        assert REL_NAMES[rel_kind] == term(f"rel_{rel_kind.value}")


def test_a_glossary_source_says_primary_or_secondary() -> None:
    ok = "terms:\n  - {id: a_b, en: x, ja: y, source: {title: t, publisher: p, url: 'https://x.mil/', read: 2026-12-02, kind: primary}}\n"
    assert parse_terms(ok, "t")[0].source is not None
    assert parse_terms(ok, "t")[0].source.kind == "primary"  # type: ignore[union-attr]
    unsaid = ok.replace(", kind: primary", "")
    assert parse_terms(unsaid, "t")[0].source.kind == "secondary"  # type: ignore[union-attr]
    with pytest.raises(GlossaryError, match="primary or secondary"):
        parse_terms(ok.replace("kind: primary", "kind: official"), "t")


def test_cocom_in_japanese_is_marked_as_the_projects_rendering() -> None:
    t = terms()["rel_cocom"]
    assert t.note is not None
    assert "本プロジェクトの訳語" in t.note.ja
    assert "this project's rendering" in t.note.en


def test_federation_has_one_japanese_word_everywhere() -> None:
    """連携 (the glossary's word), never 連接, in any text the platform shows."""
    assert term("federation").ja == "連携"
    root = Path(__file__).resolve().parents[2]
    other = "連" + "接"
    found = [
        str(p.relative_to(root))
        for folder in ("src/alliance", "docs")
        for p in (root / folder).rglob("*")
        if p.suffix in {".py", ".yaml", ".js", ".html", ".md"}
        and "node_modules" not in p.parts
        and other in p.read_text(encoding="utf-8")
    ]
    if other in (root / "README.md").read_text(encoding="utf-8"):
        found.append("README.md")
    assert found == []

"""Bilingual text: every user-facing string exists in English and Japanese."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["en", "ja"]
LANGS: tuple[Lang, ...] = ("en", "ja")


@dataclass(frozen=True, slots=True)
class Text:
    """A user-facing string in both languages."""

    en: str
    ja: str

    def __post_init__(self) -> None:
        if not self.en or not self.ja:
            raise ValueError("bilingual text needs both en and ja")

    def get(self, lang: Lang) -> str:
        return self.ja if lang == "ja" else self.en

    def format(self, **values: object) -> Text:
        return Text(self.en.format(**values), self.ja.format(**values))

    def as_dict(self) -> dict[str, str]:
        return {"en": self.en, "ja": self.ja}

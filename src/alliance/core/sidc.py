"""MIL-STD-2525 / APP-6 symbol identification codes (SIDC), checked the same way everywhere."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

from .errors import InvalidInput
from .i18n import Text
from .limits import SIDC

# MIL-STD-2525C / APP-6(B) 15-character SIDC: coding scheme, affiliation,
# battle dimension, status, function id (6), modifiers (2), country (2), order of battle.
_SIDC_C = re.compile(
    r"^[SGWIOE][PUAFNSHGWMDLJK][PAGSUFXTOEVLZ-][AP-][A-Z0-9-]{6}[A-Z0-9*-]{2}[A-Z*-]{2}[A-Z*-]$"
)
# MIL-STD-2525D/E: 20 (or 30) digits; digits 1-2 version, 3-4 standard identity.
_SIDC_D = re.compile(r"^\d{20}(\d{10})?$")


def _not_sidc(value: str) -> Text:
    return Text(
        f"'{value}' is not a MIL-STD-2525 symbol code (15 characters like SFGPUCI----H---, "
        "or 20/30 digits for 2525D/E).",
        f"「{value}」はMIL-STD-2525のシンボルコード（15文字の例: SFGPUCI----H---、"
        "または2525D/Eの20/30桁）ではありません。",
    )


def check_sidc(value: str) -> str:
    """Accept a 2525C/APP-6(B) letter code or a 2525D/E numeric code."""
    code = value.strip().upper()
    if _SIDC_C.match(code) or (_SIDC_D.match(code) and code[2] in "01" and code[3] in "0123456"):
        return code
    raise InvalidInput(_not_sidc(value), field="sidc", code="invalid_sidc")


def _sidc_field(value: str) -> str:
    """``check_sidc`` as a pydantic validator: the error keeps its code and both
    languages, and pydantic adds where it was (``sidc``, ``units.3.sidc``)."""
    try:
        return check_sidc(value)
    except InvalidInput:
        # pydantic reads "{name}" in a message as a placeholder: show braces as parentheses.
        text = _not_sidc(value.replace("{", "(").replace("}", ")"))
        raise PydanticCustomError("invalid_sidc", text.en, {"ja": text.ja}) from None


Sidc = Annotated[str, StringConstraints(max_length=SIDC), AfterValidator(_sidc_field)]

__all__ = ["Sidc", "check_sidc"]

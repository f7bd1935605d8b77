"""The Japanese of pydantic's validation errors, with the limit where the user
needs it. One wording for every edge that reports them: the API's error body
and the command line's messages."""

from __future__ import annotations

from typing import Any

_JA_BY_TYPE = {
    "missing": "必須項目がありません",
    "extra_forbidden": "未知の項目です",
    "string_too_short": "文字数が足りません",
    "string_too_long": "文字数が多すぎます",
    "too_short": "要素が足りません",
    "too_long": "要素が多すぎます",
    "string_pattern_mismatch": "書式が違います",
    "enum": "許可された値ではありません",
    "literal_error": "許可された値ではありません",
    "json_invalid": "JSONとして不正です",
    "model_attributes_type": "オブジェクトである必要があります",
    "dict_type": "オブジェクトである必要があります",
    "list_type": "配列である必要があります",
    "string_type": "文字列である必要があります",
    "int_parsing": "整数である必要があります",
    "int_type": "整数である必要があります",
    "bool_parsing": "真偽値である必要があります",
    "bool_type": "真偽値である必要があります",
    "greater_than_equal": "値が小さすぎます",
    "less_than_equal": "値が大きすぎます",
    "datetime_parsing": "日時として不正です",
    "datetime_type": "日時として不正です",
    "value_error": "値が不正です",
}


# The Japanese of errors whose limit the user needs (pydantic's English names
# it: "String should have at most 200 characters"), filled from the error's context.
_JA_WITH_LIMIT = {
    "string_too_short": "{min_length}文字以上にしてください",
    "string_too_long": "{max_length}文字以内にしてください",
    "too_short": "要素は{min_length}個以上必要です",
    "too_long": "要素は{max_length}個以内にしてください",
    "greater_than_equal": "{ge}以上にしてください",
    "greater_than": "{gt}より大きくしてください",
    "less_than_equal": "{le}以下にしてください",
    "less_than": "{lt}より小さくしてください",
    "string_pattern_mismatch": "書式が違います（パターン: {pattern}）",
    "enum": "許可された値ではありません（{expected}）",
    "literal_error": "許可された値ではありません（{expected}）",
}


def japanese(err: Any) -> str:
    """The Japanese of one pydantic error, with its limit when it has one (the
    command line says it the same way)."""
    kind = str(err.get("type", ""))
    template = _JA_WITH_LIMIT.get(kind)
    if template is not None:
        ctx = err.get("ctx") or {}
        try:
            return template.format(**{k: _plain(v) for k, v in ctx.items()})
        except (KeyError, IndexError):
            pass
    return _JA_BY_TYPE.get(kind, "値が不正です")


def _plain(value: Any) -> str:
    """A context value as Japanese text reads it ("'a' or 'b'" lists keep their words)."""
    text = str(value)
    return text.replace(" or ", "、").replace("'", "")


__all__ = ["japanese"]

"""Shared pieces of request and response bodies."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator, model_validator

from starling.shared.text import refused_character

T = TypeVar("T")
# Mark a text field that may hold several lines: Field(json_schema_extra=MULTILINE).
MULTILINE: dict[str, Any] = {"x-multiline": True}


class StrictBody(BaseModel):
    """A request body: unknown fields are refused so a typo never passes silently; every text in it follows
    the API's one text policy (starling.shared.text); a field in `not_clearable` may be left out of a
    PATCH, but null for it is refused rather than read as "clear"."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    not_clearable: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _refuse_null_for_not_clearable(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in sorted(cls.not_clearable):
                if name in data and data[name] is None:
                    raise ValueError(f"{name} cannot be cleared: send a value, or leave it out to keep it")
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _follow_text_policy(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name or "body"
        extra = cls.model_fields[name].json_schema_extra if name in cls.model_fields else None
        multiline = isinstance(extra, dict) and bool(extra.get("x-multiline"))
        for text in _texts(value):
            refused = refused_character(text, multiline)
            if refused:
                kind = "text" if multiline else "a single line"
                raise ValueError(f"{name} must not contain {refused} ({kind})")
        return value


def _texts(value: Any) -> list[str]:
    """Every string in a value: itself, or inside lists and as dict keys and values."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
    return found


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None

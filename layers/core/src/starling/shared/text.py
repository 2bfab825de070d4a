"""The one text policy of the API.

A single-line field (a name, a subject, a slug, a key name) refuses every control character and every
bidirectional embedding, override or isolate: a NUL byte breaks exports and logs, and a right-to-left
override makes "gpj.exe" read as "exe.jpg" in a dashboard. A multi-line field (notes, an email body) also
allows newline, carriage return and tab. Text is refused, never silently changed, so what the brand sent is
what is stored.
"""

from __future__ import annotations

import unicodedata

# Explicit directional formatting (embeddings, overrides, isolates). Marks (U+200E, U+200F, U+061C) are
# kept: right-to-left languages need them, and they cannot reorder the text around them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MULTILINE_ALLOWED = frozenset("\n\r\t")


def describe(char: str) -> str:
    """U+202E RIGHT-TO-LEFT OVERRIDE; a control character has no Unicode name, so its code alone."""
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    return f"{code} {name}" if name else code


def refused_character(text: str, multiline: bool = False) -> str | None:
    """The first character the policy refuses in `text`, described; None when the text is acceptable."""
    for char in text:
        if multiline and char in MULTILINE_ALLOWED:
            continue
        if char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            return describe(char)
    return None

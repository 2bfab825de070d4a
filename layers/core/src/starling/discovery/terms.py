"""The words a creator search matches: a query's terms and a creator's search tokens.

Words are compared folded (lowercase, without accents: "Zoë" is "zoe"), and a term matches a token it
starts ("sk" finds "skincare"). Niches are compared by `niche_key`, which ignores case, spaces, '_' and '-'.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

from starling.shared.values import clean_text

if TYPE_CHECKING:
    from starling.discovery.model import Creator


def niche_key(niche: str) -> str:
    return re.sub(r"[\s_\-]+", "", niche.lower())


def fold(text: str) -> str:
    """Lowercase without accents: 'Zoë' is 'zoe'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def query_terms(query: str) -> tuple[str, ...]:
    """The normalised words of a free-text query, in order, without repeats."""
    words = re.split(r"[^\w]+", fold(clean_text(query)).replace("_", " "))
    return tuple(dict.fromkeys(w for w in words if w))


def search_tokens(creator: Creator) -> frozenset[str]:
    """Normalised words over the handle (whole and split at '.', '_', '-'), the name and the niches."""
    tokens = {creator.handle}
    for text in (creator.handle, creator.display_name, *creator.niches):
        tokens.update(query_terms(text))
    tokens.update(niche_key(n) for n in creator.niches)
    return frozenset(t for t in tokens if t)


def matches_query(tokens: Iterable[str], query: str) -> bool:
    """True when every word of the query is the start of some token ('sk' finds 'skincare')."""
    token_list = list(tokens)
    return all(any(t.startswith(term) for t in token_list) for term in query_terms(query))

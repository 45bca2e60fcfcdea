"""Text normalisation shared by the product (briefing de-duplication) and the eval metrics."""

from __future__ import annotations

import re
import string

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """Lower-case, no punctuation, no articles, single spaces (SQuAD-style)."""
    text = text.lower().replace("’", "'")
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())

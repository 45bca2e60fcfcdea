"""Text as a check should read it: spaced tokens joined, quotes and apostrophes of one kind, quoted spans found."""

from __future__ import annotations

import re

# Quote marks people and summarizers use, mapped to one plain form.
QUOTE_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "`": "'"})
QUOTED_SPAN = re.compile(r'"([^"]{8,400})"')
MIN_QUOTED_WORDS = 3  # a quoted word or two is a name or a term, not a quotation


def detokenize(text: str) -> str:
    """Undo the spaced tokens of tokenised text ("kilmarnock 's manager ." -> "kilmarnock's manager.",
    "didn ' t" -> "didn't", `` quote '' -> "quote")."""
    text = text.translate(QUOTE_MARKS)
    text = re.sub(r"``\s*|\s*''", '"', text)
    text = re.sub(r"(\w)\s+'\s*(t|s|re|ve|ll|d|m)\b", r"\1'\2", text)
    text = re.sub(r"\s+(n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text)
    text = re.sub(r"\s+([.,;:!?%)\]])", r"\1", text)
    return re.sub(r"([(\[$£])\s+", r"\1", text)


def squeeze(text: str) -> str:
    """Lower case, one kind of quote, single spaces, no punctuation: how two quotations are compared."""
    text = detokenize(text).lower()
    text = re.sub(r"[^\w\s']", " ", text)
    return " ".join(text.split())


def quotations(sentence: str) -> list[str]:
    """The quoted spans of a sentence long enough to be quotations."""
    return [q for q in QUOTED_SPAN.findall(detokenize(sentence)) if len(q.split()) >= MIN_QUOTED_WORDS]


def misquoted(sentence: str, source: str) -> str:
    """The first quotation of the sentence that the source does not hold word for word, else ""."""
    held = f" {squeeze(source)} "
    for quote in quotations(sentence):
        if f" {squeeze(quote)} " not in held:
            return quote
    return ""

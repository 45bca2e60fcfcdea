"""Keep only what the sources say: every summary sentence is checked, rewritten from its source or dropped.

An unsupported sentence is never shown as fact. When the passage it leans on holds a sentence
close to it, that source sentence (quoted with its citation) replaces it; otherwise it goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.markers import cite, strip_markers
from assistant.grounding.citations import check_answer
from assistant.grounding.verify import Encoder, passage_sentences
from assistant.records import Passage


@dataclass
class CitedSentence:
    text: str  # with [n] markers (numbers of the passages given)
    markers: list[int]
    support: float
    rewritten: bool = False  # replaced by the source sentence it leaned on


def source_sentence(sentence: str, passages: Sequence[Passage], encode: Encoder) -> tuple[int, str, float]:
    """The passage sentence closest to `sentence`: (passage number, text, cosine)."""
    candidates = [(n, text) for n, p in enumerate(passages, 1) for _, _, text in passage_sentences(p) if len(text) > 25]
    if not candidates:
        return 0, "", 0.0
    vectors = encode([strip_markers(sentence)] + [text for _, text in candidates])
    similarities = vectors[1:] @ vectors[0]
    best = int(np.argmax(similarities))
    return candidates[best][0], candidates[best][1], float(similarities[best])


def faithful(text: str, passages: Sequence[Passage], encode: Encoder, threshold: float,
             rewrite_above: float = 0.6) -> tuple[list[CitedSentence], int]:
    """The text's sentences that the passages support (repaired citations), the rest rewritten or dropped.

    Returns the kept sentences and how many were dropped.
    """
    checked = check_answer(text, passages, encode, threshold, repair=True)
    kept: list[CitedSentence] = []
    dropped = 0
    for sentence in checked.sentences:
        if sentence.supported and sentence.markers:
            kept.append(CitedSentence(sentence.text, sentence.markers, sentence.support))
            continue
        n, quote, similarity = source_sentence(sentence.text, passages, encode)
        if n and similarity >= rewrite_above:
            kept.append(CitedSentence(cite(quote, n), [n], 1.0, rewritten=True))
        else:
            dropped += 1
    return kept, dropped

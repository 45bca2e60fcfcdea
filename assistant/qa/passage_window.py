"""Cut each retrieved chunk down to its most relevant window of sentences before prompting.

Every prompt token costs about 1/60 s on the embedded model, so a chunk goes into the prompt as
the run of consecutive sentences around its best-matching sentence, up to a character budget.
The window is still an exact span of the article body, so citations keep their highlight.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from assistant.language import content_words
from assistant.records import Passage
from assistant.sentences import sentence_spans

def best_run(scores: Sequence[float], lengths: Sequence[int], budget: int) -> tuple[int, int]:
    """Indices [first, last] of the consecutive sentences with the highest total score within the budget."""
    best, best_score = (0, 0), -1e9
    for first in range(len(scores)):
        total, size = 0.0, 0
        for last in range(first, len(scores)):
            size += lengths[last] + 1
            if size > budget and last > first:
                break
            total += scores[last]
            if total > best_score:
                best, best_score = (first, last), total
    return best


def best_windows(passages: Sequence[Passage], query: str, encode: Callable[[list[str]], np.ndarray], budget: int) -> list[Passage]:
    if budget <= 0:
        return list(passages)
    query_words = content_words(query)
    per_passage = [sentence_spans(p.text) for p in passages]
    texts = [query] + [p.text[s:e] for p, spans in zip(passages, per_passage) for s, e in spans]
    vectors = encode(texts)
    query_vector, offset = vectors[0], 1
    out: list[Passage] = []
    for passage, spans in zip(passages, per_passage):
        if len(passage.text) <= budget or len(spans) < 2:
            out.append(passage)
            offset += len(spans)
            continue
        sims = vectors[offset:offset + len(spans)] @ query_vector
        offset += len(spans)
        scores = []
        for (s, e), sim in zip(spans, sims):
            words = content_words(passage.text[s:e])
            overlap = len(words & query_words) / (len(query_words) or 1)
            scores.append(max(0.0, float(sim)) + overlap - 0.25)  # below-par sentences lower a window's total
        first, last = best_run(scores, [e - s for s, e in spans], budget)
        start, end = spans[first][0], spans[last][1]
        out.append(replace(passage, text=passage.text[start:end], start=passage.start + start,
                           end=passage.start + end))
    return out

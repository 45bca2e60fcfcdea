"""Cut each retrieved chunk down to its most relevant window of sentences before prompting.

Every prompt token costs about 1/60 s on the embedded model, so a chunk goes into the prompt as
the run of consecutive sentences around its best-matching sentence, up to a character budget.
The window is still an exact span of the article body, so citations keep their highlight.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from assistant.language import content_words
from assistant.records import Passage, StoredArticle
from assistant.sentences import sentence_spans, split_sentences

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


BOILERPLATE = re.compile(r"sign up|newsletter|e-?mail address|privacy notice|subscribe|\{\{|please enter|"
                         r"stay ahead of the trend|read more|also read|loading|cookie|advertisement|share this", re.I)


def lead_passage(article: StoredArticle, chars: int = 500) -> Passage:
    """The article's opening sentences (up to `chars`) as an exact span of its body, after any
    sign-up boxes and other page furniture at the top."""
    body = article.body
    spans = [(body.find(s), s) for s in split_sentences(body)]
    start = next((position for position, sentence in spans if position >= 0 and not BOILERPLATE.search(sentence)), 0)
    end = start
    for position, sentence in spans:
        if position < start:
            continue
        if position < 0 or position + len(sentence) - start > chars and end > start:
            break
        end = position + len(sentence)
    end = end if end > start else min(len(body), start + chars)
    return Passage(f"{article.id}::lead", article.id, article.title, article.source, article.url, article.published_at,
                   start, end, body[start:end])


def headline_sentence(title: str, lead: Passage, encode) -> str:
    """Of the lead's sentences, the one that says most nearly what the headline says."""
    pieces = [s for s in split_sentences(lead.text) if len(s) > 25 and not BOILERPLATE.search(s)] or [lead.text.strip() or title]
    vectors = encode([title] + pieces)
    return pieces[int((vectors[1:] @ vectors[0]).argmax())]


def covers_lead(sentence: str, lead: Passage, encode, at: float = 0.55) -> bool:
    """Whether the sentence says what the headline or the lead says (close enough to one of them)."""
    pieces = [lead.title] + [s for s in split_sentences(lead.text) if len(s) > 20]
    vectors = encode([sentence] + pieces)
    return float((vectors[1:] @ vectors[0]).max()) >= at

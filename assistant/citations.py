"""Citation post-processing: parse [n] markers, resolve them to passages, score each sentence's support.

Support is checked after generation because a 1.5B model cites wrongly now and then: a sentence
is supported when the passages it cites share its content words (lexical) and its meaning
(embedding cosine against the best-matching sentence of those passages).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Callable, Sequence

import numpy as np

from assistant.retrieval import Passage
from assistant.sentences import sentence_spans, split_sentences as sentence_list

MARKER = re.compile(r"\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.-]*")
STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being it its this that "
    "these those there their they them he she his her him we our you your i me my not no yes do does did has have "
    "had will would can could should may might also than then so such which who whom whose what when where why how "
    "about into over after before during while said says according".split()
)


@dataclass
class Citation:
    n: int
    passage: Passage
    highlight_start: int  # the best-supporting sentence of the passage, as a span of the article body
    highlight_end: int


@dataclass
class SentenceCheck:
    text: str
    markers: list[int]
    support: float
    supported: bool
    marker_support: dict[int, float] = field(default_factory=dict)  # each cited passage on its own


@dataclass
class CheckedAnswer:
    text: str  # the answer with dangling markers removed
    citations: list[Citation] = field(default_factory=list)
    sentences: list[SentenceCheck] = field(default_factory=list)
    dangling: int = 0  # markers that pointed at no passage and were removed

    @property
    def unsupported(self) -> list[str]:
        return [s.text for s in self.sentences if not s.supported]


def expand_marker(body: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*[,;]\s*", body):
        if re.fullmatch(r"\d+\s*[–-]\s*\d+", part):
            low, high = (int(x) for x in re.split(r"\s*[–-]\s*", part))
            numbers.extend(range(low, min(high, low + 10) + 1))
        elif part.strip().isdigit():
            numbers.append(int(part))
    return numbers


def strip_dangling(text: str, valid: set[int]) -> tuple[str, int]:
    """Drop marker numbers that resolve to no passage; returns the cleaned text and how many went."""
    removed = 0

    def fix(match: re.Match) -> str:
        nonlocal removed
        numbers = expand_marker(match.group(1))
        kept = [n for n in dict.fromkeys(numbers) if n in valid]
        removed += len([n for n in numbers if n not in valid])
        return "".join(f"[{n}]" for n in kept)

    cleaned = MARKER.sub(fix, text)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned)
    return re.sub(r"[ \t]{2,}", " ", cleaned).strip(), removed


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing markers attached (a marker after the full stop stays with it)."""
    text = re.sub(r"([.!?])\s*((?:\[\d+\]\s*)+)", lambda m: m.group(1) + m.group(2).replace(" ", "") + " ", text)
    parts = [p.strip() for p in sentence_list(text) if p.strip()]
    merged: list[str] = []
    for part in parts:
        if merged and MARKER.fullmatch(part.replace(" ", "")):
            merged[-1] += part
        else:
            merged.append(part)
    return merged


def content_words(text: str) -> set[str]:
    words = {w.lower().strip(".'’-") for w in WORD.findall(MARKER.sub(" ", text))}
    return {w[:6] if len(w) > 6 else w for w in words if w and w not in STOPWORDS}


def lexical_support(sentence: str, passages: Sequence[str]) -> float:
    words = content_words(sentence)
    if not words:
        return 1.0
    available = set().union(*(content_words(p) for p in passages)) if passages else set()
    return len(words & available) / len(words)


def passage_sentences(passage: Passage) -> list[tuple[int, int, str]]:
    """(start, end, text) of each sentence in the passage, as spans of the article body."""
    spans = [(passage.start + s, passage.start + e, passage.text[s:e]) for s, e in sentence_spans(passage.text)
             if e - s > 3]
    return spans or [(passage.start, passage.end, passage.text)]


def inherited_markers(own_markers: list[list[int]], index: int) -> list[int]:
    """An uncited sentence is judged against the citations of the next cited sentence (else the previous).

    Small models often write a short lead ("Ismail Qaani.") and cite only the sentence that backs it.
    """
    for other in list(range(index + 1, len(own_markers))) + list(range(index - 1, -1, -1)):
        if own_markers[other]:
            return own_markers[other]
    return []


def passage_words(passage: Passage) -> str:
    return passage.text + " " + passage.title


Encoder = Callable[[list[str]], np.ndarray]


def check_answer(answer: str, passages: Sequence[Passage], encode: Encoder, threshold: float,
                 exempt: Callable[[str], bool] = lambda s: False) -> CheckedAnswer:
    """Resolve markers, drop dangling ones, and score every sentence against what it cites."""
    numbered = {i: p for i, p in enumerate(passages, 1)}
    text, dangling = strip_dangling(answer, set(numbered))
    sentences = split_sentences(text)
    checks: list[SentenceCheck] = []
    best_span: dict[int, tuple[float, int, int]] = {}
    pieces = {n: passage_sentences(p) for n, p in numbered.items()}
    to_embed: list[str] = []
    for sentence in sentences:
        to_embed.append(MARKER.sub("", sentence).strip())
    for n in numbered:
        to_embed.extend(s for _, _, s in pieces[n])
    vectors = encode(to_embed) if to_embed else np.zeros((0, 1))
    sentence_vectors = vectors[: len(sentences)]
    piece_vectors: dict[int, np.ndarray] = {}
    offset = len(sentences)
    for n in numbered:
        piece_vectors[n] = vectors[offset: offset + len(pieces[n])]
        offset += len(pieces[n])

    own_markers = [[n for body in MARKER.findall(s) for n in expand_marker(body) if n in numbered] for s in sentences]
    for index, sentence in enumerate(sentences):
        markers = own_markers[index] or inherited_markers(own_markers, index)
        bare = MARKER.sub("", sentence).strip()
        if exempt(bare) or len(content_words(bare)) < 2 and not markers:
            checks.append(SentenceCheck(sentence, markers, 1.0, True))
            continue
        if not markers:
            checks.append(SentenceCheck(sentence, markers, 0.0, False))
            continue
        lexical = lexical_support(bare, [passage_words(numbered[n]) for n in markers])
        semantic = 0.0
        each: dict[int, float] = {}
        for n in markers:
            similarities = piece_vectors[n] @ sentence_vectors[index]
            best = int(np.argmax(similarities))
            semantic = max(semantic, float(similarities[best]))
            each[n] = round(0.5 * lexical_support(bare, [passage_words(numbered[n])]) + 0.5 * float(similarities[best]), 3)
            start, end, _ = pieces[n][best]
            if n not in best_span or similarities[best] > best_span[n][0]:
                best_span[n] = (float(similarities[best]), start, end)
        score = 0.5 * lexical + 0.5 * semantic
        checks.append(SentenceCheck(sentence, markers, round(score, 3), score >= threshold, each))

    cited = sorted({n for c in checks for n in c.markers})
    citations = [Citation(n, numbered[n], *(best_span[n][1:] if n in best_span else (numbered[n].start, numbered[n].end)))
                 for n in cited]
    return CheckedAnswer(text=text, citations=citations, sentences=checks, dangling=dangling)

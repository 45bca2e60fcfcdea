"""Does a passage support a sentence? The check behind every citation, answer and summary sentence.

Word overlap alone passes any sentence built from the source's own words, so the check looks
for the errors that keep those words: a name or a figure the passage never gives, a negation
the passage does not have (or drops one it has), a word turned into its opposite. What passes
those hard checks gets a soft score (content-word coverage and embedding similarity to the best
passage sentence); optionally the chat model judges the sentence against that passage too.
The thresholds come from the perturbation dev set (docs/verifier.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from assistant.grounding.text import QUOTE_MARKS, detokenize, misquoted
from assistant.language import (IRREGULAR_VERBS, NEGATIONS, OPPOSITES, QUALIFIERS, STOPWORDS, TITLES, content_words,
                                 names, stem, words)
from assistant.markers import MARKER
from assistant.records import Passage
from assistant.sentences import sentence_spans

Encoder = Callable[[list[str]], np.ndarray]
NUMBER_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?")
OPPOSITE_STEMS = {stem(a): stem(b) for a, b in OPPOSITES.items()} | {stem(b): stem(a) for a, b in OPPOSITES.items()}


@dataclass(frozen=True)
class Verdict:
    score: float  # 0..1; below the threshold means unsupported
    reason: str  # "" when supported, else why not (one short phrase)


def normalised_stem(word: str) -> str:
    return stem(IRREGULAR_VERBS.get(word.lower(), word.lower()))


def unmatched_numbers(sentence: str, passages: Sequence[str]) -> list[str]:
    """Numbers in the sentence that none of the passages contains (thousands separators ignored)."""
    available = {n.replace(",", "").rstrip(".") for p in passages for n in NUMBER_TOKEN.findall(p)}
    return [n for n in NUMBER_TOKEN.findall(MARKER.sub(" ", sentence)) if n.replace(",", "").rstrip(".") not in available]


def unmatched_names(sentence: str, passages: Sequence[str]) -> list[str]:
    """Names in the sentence that the passages never mention (each word of a name must appear, as written or stemmed)."""
    text = " ".join(passages)
    lowered = text.lower()
    available = {normalised_stem(w) for w in words(text)}
    missing = []
    for name in names(MARKER.sub(" ", sentence)):
        parts = [p for p in re.findall(r"[\w’'-]+", name) if p.lower() not in ("of", "de", "van", "the")]
        if name.lower() in lowered:
            continue
        if parts and all(p.lower() in lowered or normalised_stem(p.strip("’'")) in available for p in parts):
            continue
        missing.append(name)
    return missing


def negated(text: str) -> bool:
    lowered = text.lower().replace("’", "'")
    return bool(re.search(r"n't\b", lowered)) or any(w in NEGATIONS for w in re.findall(r"[a-z']+", lowered))


def negates_shared(text: str, shared: set[str]) -> bool:
    """Whether a negation in the text bears on what it shares with the other text: the first content
    word after "not"/"never"/"n't" is a shared one ("had not explained how much water" negates
    "explained", not "water")."""
    tokens = re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))
    for i, token in enumerate(tokens):
        if token in NEGATIONS or token.endswith("n't"):
            following = [t for t in tokens[i + 1:i + 5] if t not in STOPWORDS and t not in NEGATIONS]
            if following and stem(following[0]) in shared:
                return True
    return False


def flipped_opposite(sentence: str, source: str) -> str:
    """A word of the sentence whose opposite the source uses instead (and not the word itself), else ""."""
    own = {normalised_stem(w) for w in words(sentence)}
    theirs = {normalised_stem(w) for w in words(source)}
    for word in own - theirs:
        opposite = OPPOSITE_STEMS.get(word)
        if opposite and opposite in theirs and opposite not in own:
            return word
    return ""


def dropped_qualifier(sentence: str, source: str) -> str:
    """A name the source calls *former* (ex-, late, acting …) that the sentence gives a current title; else ""."""
    for name in names(sentence):
        surname = re.escape(name.split()[-1])
        qualified = re.search(rf"\b({QUALIFIERS})\b[\w\s.,'’-]{{0,40}}?\b{surname}\b", source, re.I)
        if not qualified:
            continue
        titled = re.search(rf"\b({TITLES})\b[\s,]*(?:[A-Z][\w.'’-]*\s+){{0,3}}{surname}\b", sentence, re.I)
        if titled and not re.search(rf"\b({QUALIFIERS})\b[\w\s.,'’-]{{0,40}}?\b{surname}\b", sentence, re.I) \
                and not unqualified_in(source, titled.group(0)):
            return name
    return ""


def unqualified_in(source: str, phrase: str) -> bool:
    """Whether the source itself writes the phrase ("President Joe Biden") somewhere without a qualifier before it."""
    for match in re.finditer(re.escape(phrase), source, re.I):
        if not re.search(rf"\b({QUALIFIERS})[\s-]*$", source[max(0, match.start() - 25):match.start()], re.I):
            return True
    return False


def context_words(text: str, start: int, end: int) -> tuple[str, str]:
    """The words just before and just after a span (lower-case; "" at the edges)."""
    before = re.findall(r"[\w’'-]+", text[:start])
    after = re.findall(r"[\w’'-]+", text[end:])
    return (before[-1].lower() if before else ""), (after[0].lower() if after else "")


def swapped_names(sentence: str, source: str) -> tuple[str, str] | None:
    """Two names that sit in each other's place compared with the source sentence ("A centred for B"
    where the source says "B centred for A"): the words around each name match the other's place."""
    found = [n for n in names(sentence) if n in source]
    for i, first in enumerate(found):
        for second in found[i + 1:]:
            if first in second or second in first:
                continue
            a_claim, b_claim = sentence.find(first), sentence.find(second)
            a_source, b_source = source.find(first), source.find(second)
            if min(a_claim, b_claim, a_source, b_source) < 0 or (a_claim < b_claim) == (a_source < b_source):
                continue
            around_a = context_words(sentence, a_claim, a_claim + len(first))
            around_b_source = context_words(source, b_source, b_source + len(second))
            if any(x and x == y for x, y in zip(around_a, around_b_source)):
                return first, second
    return None


def lexical_support(sentence: str, passages: Sequence[str]) -> float:
    """Share of the sentence's content words that the passages contain."""
    own = content_words(sentence)
    if not own:
        return 1.0
    available = set().union(*(content_words(p) for p in passages)) if passages else set()
    return len(own & available) / len(own)


def passage_sentences(passage: Passage) -> list[tuple[int, int, str]]:
    """(start, end, text) of each sentence in the passage, as spans of the article body."""
    spans = [(passage.start + s, passage.start + e, passage.text[s:e]) for s, e in sentence_spans(passage.text)
             if e - s > 3]
    return spans or [(passage.start, passage.end, passage.text)]


def passage_words(passage: Passage) -> str:
    """What a citation vouches for: the passage, its article's title, outlet and date."""
    return f"{passage.text} {passage.title} {passage.source} {(passage.published_at or '')[:10]}"


@dataclass
class Reading:
    """What the checks read: the sentence, the cited passages' words, the closest passage sentence."""

    sentence: str
    texts: list[str]
    best_similarity: float
    best_sentence: str
    learned: float | None

    @cached_property
    def joined(self) -> str:
        return " ".join(self.texts)

    @cached_property
    def soft(self) -> float:
        """The learned model's probability, else half word coverage, half the embedding cosine."""
        if self.learned is not None:
            return self.learned
        return 0.5 * lexical_support(self.sentence, self.texts) + 0.5 * self.best_similarity


def _negation_flipped(reading: Reading) -> bool:
    """One side negates what the sentence and its closest passage sentence share, the other does not."""
    if not reading.best_sentence or reading.best_similarity <= 0.5:
        return False
    shared = content_words(reading.sentence) & content_words(reading.best_sentence)
    return negates_shared(reading.sentence, shared) != negates_shared(reading.best_sentence, shared)


def _swapped(reading: Reading) -> tuple[str, str] | None:
    return swapped_names(reading.sentence, reading.best_sentence) if reading.best_sentence else None


@dataclass(frozen=True)
class Check:
    """One error the check looks for: `find` gives what it found (falsy when the sentence passes)."""

    find: Callable[[Reading], object]
    score: float  # a hard check's score, or a soft one's ceiling on the soft score
    hard: bool  # hard: the score replaces the soft score; soft: it caps it
    reason: Callable[[object], str]  # the phrase a reader sees, from what was found


# Tried in order; the first that finds something decides. Hard checks (quotation, figures, names) first.
CHECKS = (
    Check(lambda r: misquoted(r.sentence, r.joined), 0.0, True,
          lambda quote: f"the quotation “{quote[:60]}” is not in the cited passage word for word"),
    Check(lambda r: unmatched_numbers(r.sentence, r.texts), 0.0, True,
          lambda numbers: f"figure {numbers[0]} is not in the cited passage"),
    Check(lambda r: unmatched_names(r.sentence, r.texts), 0.1, True,
          lambda missing: f"{missing[0]} is not in the cited passage"),
    Check(_negation_flipped, 0.2, False, lambda _: "the passage says the opposite (negation)"),
    Check(lambda r: flipped_opposite(r.sentence, r.best_sentence or r.joined), 0.2, False,
          lambda word: f"the passage says the opposite of {word!r}"),
    Check(lambda r: dropped_qualifier(r.sentence, r.joined), 0.2, False,
          lambda name: f"the passage calls {name} a former office-holder, not a current one"),
    Check(_swapped, 0.3, False, lambda pair: f"{pair[0]} and {pair[1]} have each other's roles in the passage"),
)


def verdict(sentence: str, passages: Sequence[Passage], best_similarity: float, best_sentence: str,
            learned: float | None = None) -> Verdict:
    """The first of CHECKS that finds an error decides the verdict; else the soft score, with no reason.

    `best_similarity` and `best_sentence` are the embedding cosine to, and the text of, the passage
    sentence closest to this one (the caller embeds both sides once for all its sentences). `learned`
    is the learned support model's probability (assistant/grounding/support_model.py); without it the
    soft score is half word coverage, half that cosine.
    """
    # both sides with one kind of quote mark: the sentence's "Hasbro's" must find the passage's "Hasbro’s"
    texts = [passage_words(p).translate(QUOTE_MARKS) for p in passages]
    reading = Reading(detokenize(sentence), texts, best_similarity, best_sentence.translate(QUOTE_MARKS), learned)
    for check in CHECKS:
        found = check.find(reading)
        if found:
            return Verdict(check.score if check.hard else min(reading.soft, check.score), check.reason(found))
    return Verdict(reading.soft, "")


def support_score(sentence: str, passages: Sequence[Passage], best_similarity: float, best_sentence: str = "") -> float:
    return verdict(sentence, passages, best_similarity, best_sentence).score


FIGURE = re.compile(r"\d[\d,.]*\d|\d")


def figures(text: str) -> set[float]:
    """Quantities in a sentence, leaving out years and small counts that rarely carry the disputed fact."""
    values = set()
    for raw in FIGURE.findall(text):
        if re.fullmatch(r"(19|20)\d\d", raw):
            continue
        try:
            value = float(raw.replace(",", ""))
        except ValueError:
            continue
        if value >= 10:
            values.add(value)
    return values


def conflicting_figures(first: str, second: str) -> bool:
    """Two reports give different but comparable figures (within a factor of two) that the other lacks."""
    a, b = figures(first), figures(second)
    return any(x not in b and y not in a and 0.5 <= x / y <= 2 for x in a for y in b)


def sentences_conflict(first: str, second: str, similarity: float) -> bool:
    """Two close sentences from different reports that disagree: other figures, or one negates the other."""
    if similarity < 0.5:
        return False
    return conflicting_figures(first, second) or (similarity >= 0.7 and negated(first) != negated(second))

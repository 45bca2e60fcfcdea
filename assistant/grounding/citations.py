"""Citation post-processing: resolve [n] markers to passages, drop dangling ones, re-point wrong ones.

Support is checked after generation because a 1.5B model cites wrongly now and then; the
support scores themselves come from `assistant.grounding.verify`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.language import content_words
from assistant.markers import MARKER, expand_marker, rewrite_markers
from assistant.grounding.support_model import JUDGED_SENTENCES, SupportModel, shipped_model, support_features
from assistant.grounding.verify import Encoder, Verdict, passage_sentences, verdict
from assistant.records import Passage
from assistant.sentences import split_sentences as sentence_list


@dataclass
class Citation:
    n: int
    passage: Passage
    highlight_start: int  # the best-supporting sentence of the passage, as a span of the article body
    highlight_end: int

    @classmethod
    def whole(cls, n: int, passage: Passage) -> "Citation":
        """A citation that highlights the whole passage (summaries cite an excerpt, not one sentence of it)."""
        return cls(n, passage, passage.start, passage.end)


def citation_json(citation: Citation) -> dict:
    """A citation as every --json output and the web page give it: the passage, its article and the highlight."""
    passage = citation.passage
    return {"n": citation.n, "article_id": passage.article_id, "title": passage.title, "source": passage.source,
            "url": passage.url, "published_at": passage.published_at, "start": passage.start, "end": passage.end,
            "text": passage.text, "highlight_start": citation.highlight_start, "highlight_end": citation.highlight_end}


# The check's states as a reader sees them (terminal and page), for the sentences not fully supported.
STATE_LABELS = {"weak": "weakly supported", "unsupported": "not supported"}


@dataclass
class SentenceCheck:
    text: str
    markers: list[int]
    support: float
    supported: bool
    marker_support: dict[int, float] = field(default_factory=dict)  # each cited passage on its own
    reason: str = ""
    state: str = "supported"  # supported | weak | unsupported (weak: below the threshold, above the weak cut)


@dataclass
class CheckedAnswer:
    text: str  # the answer with dangling markers removed
    citations: list[Citation] = field(default_factory=list)
    sentences: list[SentenceCheck] = field(default_factory=list)
    dangling: int = 0  # markers that pointed at no passage and were removed
    repaired: int = 0  # sentences re-pointed to the passage that supports them

    @property
    def unsupported(self) -> list[str]:
        return [s.text for s in self.sentences if not s.supported]

    def lead_published_at(self, passages: Sequence[Passage]) -> str | None:
        """When the newest report behind the lead (the first sentence that cites) was published; None when the
        lead cites nothing dated. The answer chain dates an old lead by it, the eval grades stale answers by it."""
        lead = next((s for s in self.sentences if s.markers), None)
        if lead is None:
            return None
        dates = [passages[n - 1].published_at for n in lead.markers if 0 < n <= len(passages) and passages[n - 1].published_at]
        return max(dates) if dates else None


def strip_dangling(text: str, valid: set[int]) -> tuple[str, int]:
    """Drop marker numbers that resolve to no passage; returns the cleaned text and how many went."""
    removed = sum(1 for body in MARKER.findall(text) for n in expand_marker(body) if n not in valid)
    return rewrite_markers(text, {n: n for n in valid}), removed


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


def inherited_markers(own_markers: list[list[int]], index: int) -> list[int]:
    """An uncited sentence is judged against the citations of the next cited sentence (else the previous).

    Small models often write a short lead ("Ismail Qaani.") and cite only the sentence that backs it.
    """
    for other in list(range(index + 1, len(own_markers))) + list(range(index - 1, -1, -1)):
        if own_markers[other]:
            return own_markers[other]
    return []


WEAK_REASON = "the cited passage only partly says this"


def weak_cut(model: SupportModel | None, threshold: float) -> float:
    """Below the threshold but above this, a sentence is weakly supported: the learned model's own cut, moved
    with the threshold when a user sets another one (rules: 0.15 below the threshold)."""
    if model is None:
        return max(0.0, threshold - 0.15)
    return max(0.0, threshold - (model.thresholds["supported"] - model.thresholds["weak"]))


def check_answer(answer: str, passages: Sequence[Passage], encode: Encoder, threshold: float,
                 exempt: Callable[[str], bool] = lambda s: False, repair: bool = True,
                 model: SupportModel | None | str = "shipped",
                 judge: Callable[[str, str], float] | None = None) -> CheckedAnswer:
    """Resolve markers, drop dangling ones, score every sentence against what it cites.

    With `repair`, a sentence its citations do not support, but another retrieved passage does,
    is re-pointed to that passage: the small model often states the right fact and cites the wrong number.
    """
    if model == "shipped":
        model = (shipped_model("judge") if judge is not None else None) or shipped_model("features")
    if model is not None and model.needs_judge and judge is None:
        model = shipped_model("features")
    weak = weak_cut(model, threshold)
    numbered = {i: p for i, p in enumerate(passages, 1)}
    text, dangling = strip_dangling(answer, set(numbered))
    sentences = split_sentences(text)
    pieces = {n: passage_sentences(p) for n, p in numbered.items()}
    bares = [MARKER.sub("", sentence).strip() for sentence in sentences]
    to_embed = bares + [s for n in numbered for _, _, s in pieces[n]]
    vectors = encode(to_embed) if to_embed else np.zeros((0, 1))
    sentence_vectors = vectors[: len(sentences)]
    piece_vectors: dict[int, np.ndarray] = {}
    offset = len(sentences)
    for n in numbered:
        piece_vectors[n] = vectors[offset: offset + len(pieces[n])]
        offset += len(pieces[n])

    def support(index: int, markers: list[int]) -> tuple[Verdict, dict[int, float], dict[int, int]]:
        """The sentence's verdict against `markers` together, each marker's own score, and its best sentence."""
        bare = bares[index]
        each, best_piece, semantic, closest = {}, {}, -1.0, ""
        for n in markers:
            similarities = piece_vectors[n] @ sentence_vectors[index]
            best_piece[n] = int(np.argmax(similarities))
            similarity = float(similarities[best_piece[n]])
            sentence_text = pieces[n][best_piece[n]][2]
            if similarity > semantic:
                semantic, closest = similarity, sentence_text
            each[n] = round(verdict(bare, [numbered[n]], similarity, sentence_text, learned(index, [n])).score, 3)
        together = verdict(bare, [numbered[n] for n in markers], max(semantic, 0.0), closest, learned(index, markers))
        return together, each, best_piece

    def learned(index: int, markers: list[int]) -> float | None:
        """The learned model's P(supported) for the sentence against the cited passages' sentences."""
        if model is None or not markers:
            return None
        texts = [t for n in markers for _, _, t in pieces[n]]
        similarities = np.concatenate([piece_vectors[n] @ sentence_vectors[index] for n in markers])
        features = support_features(bares[index], texts, similarities)
        if model.needs_judge:
            aligned = sorted(np.argsort(-similarities)[:JUDGED_SENTENCES])
            features["judge"] = judge(bares[index], " ".join(texts[i] for i in aligned))
        return model.probability(features)

    own_markers = [[n for body in MARKER.findall(s) for n in expand_marker(body) if n in numbered] for s in sentences]
    checks: list[SentenceCheck] = []
    best_span: dict[int, tuple[float, int, int]] = {}
    repaired = 0
    for index, sentence in enumerate(sentences):
        markers = own_markers[index] or inherited_markers(own_markers, index)
        bare = bares[index]
        if exempt(bare) or len(content_words(bare)) < 2 and not markers:
            checks.append(SentenceCheck(sentence, markers, 1.0, True))
            continue
        found, each, best_piece = support(index, markers) if markers else (Verdict(0.0, "no citation"), {}, {})
        if found.score < threshold and repair and numbered:
            candidates = [(support(index, [n])[0].score, n) for n in numbered]
            best_score, best_n = max(candidates)
            if best_score >= threshold:
                if own_markers[index] or not markers:  # cited wrongly, or not cited at all: write the marker in
                    sentence = re.sub(r"\s+([.!?,;:])", r"\1", MARKER.sub("", sentence)).strip()
                    sentence = re.sub(r"([.!?]*)$", lambda m: f" [{best_n}]{m.group(1)}", sentence, count=1)
                    repaired += 1
                markers = [best_n]
                found, each, best_piece = support(index, markers)
        for n, piece in best_piece.items():
            similarity = float(piece_vectors[n][piece] @ sentence_vectors[index])
            if n not in best_span or similarity > best_span[n][0]:
                best_span[n] = (similarity, pieces[n][piece][0], pieces[n][piece][1])
        supported = found.score >= threshold
        state = "supported" if supported else "weak" if found.score >= weak and not found.reason else "unsupported"
        checks.append(SentenceCheck(sentence, markers, round(found.score, 3), supported, each,
                                    "" if supported else (found.reason or WEAK_REASON if state == "weak"
                                                          else found.reason or "the cited passage does not say this"),
                                    state))

    if repaired:
        text = " ".join(c.text for c in checks)
    cited = sorted({n for c in checks for n in c.markers})
    citations = [Citation(n, numbered[n], *(best_span[n][1:] if n in best_span else (numbered[n].start, numbered[n].end)))
                 for n in cited]
    return CheckedAnswer(text=text, citations=citations, sentences=checks, dangling=dangling, repaired=repaired)

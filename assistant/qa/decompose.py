"""Answer yes/no questions about several reports one claim at a time, and compose the answer in code.

Each claim of a comparison or temporal question is searched for within its own outlet (and
date, when the question gives one), judged against its best passages by the chat model's
Yes/No probability, and the answer is composed by logic: all claims supported -> Yes for a
conjunction; publication dates compared in code for "before"/"after"; the small model never
orders dates or combines judgements itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from langchain_core.language_models import BaseChatModel

from assistant.grounding.judge import ClaimJudge
from assistant.grounding.passage_window import best_windows
from assistant.qa.questions import Claim, QuestionPlan
from assistant.grounding.verify import conflicting_figures, sentences_conflict
from assistant.records import Passage, SearchFilters
from assistant.retrieval.protocol import Retriever
from assistant.sentences import split_sentences
from assistant.settings import Settings


@dataclass
class ClaimEvidence:
    claim: Claim
    passages: list[Passage] = field(default_factory=list)
    support: float = 0.0  # P(Yes) of the judge on the claim's best passages

    @property
    def published(self) -> str:
        """When the claim's best report was published (ISO), "" when nothing was found."""
        return self.passages[0].published_at if self.passages else ""


@dataclass
class Composition:
    answer: str  # "Yes" | "No"
    rule: str  # which logic decided it
    evidence: list[ClaimEvidence]


def claim_filters(claim: Claim) -> SearchFilters:
    since, until = claim.window()
    return SearchFilters(sources=claim.sources, since=since, until=until)


def gather(plan: QuestionPlan, retriever: Retriever, encode, judge: ClaimJudge | None, passages_per_claim: int = 2,
           window_chars: int = 320) -> list[ClaimEvidence]:
    """Per claim: its best passages inside the named outlet (and dates), and (with a judge) its support score."""
    evidence = []
    for claim in plan.claims:
        query = claim.text
        found = retriever.search(query, k=passages_per_claim, filters=claim_filters(claim))
        if not found and claim.day is not None:
            found = retriever.search(query, k=passages_per_claim, filters=SearchFilters(sources=claim.sources))
        windows = best_windows(found, query, encode, window_chars) if found else []
        item = ClaimEvidence(claim, windows)
        if windows and judge is not None:
            text = "\n…\n".join(p.text.strip() for p in windows)
            item.support = judge.score(claim.text, text, windows[0].source, windows[0].published_at[:10])
        evidence.append(item)
    return evidence


def reports_conflict(evidence: list[ClaimEvidence], encode, figures_only: bool = False) -> bool:
    """Whether two of the reports say incompatible things: other figures for one fact, or (unless
    `figures_only`) one negates the other."""
    sentences = [(i, s) for i, e in enumerate(evidence) for p in e.passages for s in split_sentences(p.text) if len(s) > 20]
    if len({i for i, _ in sentences}) < 2:
        return False
    vectors = encode([s for _, s in sentences])
    similarity = vectors @ vectors.T
    for a in range(len(sentences)):
        for b in range(a + 1, len(sentences)):
            if sentences[a][0] == sentences[b][0] or similarity[a, b] < 0.5:
                continue
            if conflicting_figures(sentences[a][1], sentences[b][1]) if figures_only else \
                    sentences_conflict(sentences[a][1], sentences[b][1], float(similarity[a, b])):
                return True
    return False


def needs_judge(plan: QuestionPlan) -> bool:
    """Over-time questions about agreement are settled by comparing the reports, not by judging claims."""
    return not (plan.shape == "temporal" and plan.stance and not plan.order)


def compose(plan: QuestionPlan, evidence: list[ClaimEvidence], threshold: float, encode=None) -> Composition:
    """Yes/No (or the question's own answer words) by logic over the claims' support and the reports' dates."""
    found = [e for e in evidence if e.passages]
    if plan.order and len(found) >= 2:
        first, second = found[0].published, found[1].published
        holds = first < second if plan.order == "before" else first > second
        supported = min(e.support for e in found) >= threshold
        return finish(plan, holds and supported, f"dates:{plan.order}" + ("" if supported else "+unsupported"), evidence)
    if not needs_judge(plan):
        conflict = reports_conflict(found, encode) if encode is not None else False
        asks_for_difference = plan.stance == "inconsistent"
        return finish(plan, conflict if asks_for_difference else not conflict,
                      "reports:" + ("conflict" if conflict else "agree"), evidence)
    if not found:
        return finish(plan, False, "claims:none-found", evidence)
    if plan.stance and len(found) >= 2 and encode is not None and reports_conflict(found, encode, figures_only=True):
        # "Do they report the same number ...?": different figures for one fact settle it, whatever the judge says
        return finish(plan, plan.stance == "inconsistent", "reports:figures-differ", evidence)
    supported = min(e.support for e in evidence) >= threshold
    return finish(plan, supported, "claims:all" if supported else "claims:unsupported", evidence)


def finish(plan: QuestionPlan, affirmative: bool, rule: str, evidence: list[ClaimEvidence]) -> Composition:
    if plan.labels:
        word = plan.labels[0] if affirmative else plan.labels[1]
        return Composition(word.capitalize(), rule, evidence)
    return Composition("Yes" if affirmative else "No", rule, evidence)


def best_sentence(passage: Passage, claim: str, encode) -> str:
    """The passage sentence closest in meaning to the claim (the one an answer quotes)."""
    sentences = [s for s in split_sentences(passage.text) if len(s) > 20] or [passage.text.strip()]
    vectors = encode([claim] + sentences)
    return sentences[int((vectors[1:] @ vectors[0]).argmax())]


def explain(plan: QuestionPlan, composition: Composition, encode) -> tuple[str, list[Passage]]:
    """The answer text (Yes/No, then one cited sentence per report) and the passages it cites, in order."""
    passages: list[Passage] = []
    lines = [composition.answer + "."]
    for item in composition.evidence:
        if not item.passages:
            lines.append(f"No {item.claim.outlet + ' ' if item.claim.outlet else ''}report about this was found.")
            continue
        passage = item.passages[0]
        passages.append(passage)
        n = len(passages)
        day = (passage.published_at or "")[:10]
        quote = best_sentence(passage, item.claim.text, encode).strip().rstrip(".")
        lines.append(f"{passage.source} ({day or 'undated'}): “{quote}” [{n}].")
    if composition.rule.startswith("dates") and len(passages) >= 2:
        first, second = composition.evidence[0].published[:10], composition.evidence[1].published[:10]
        lines.insert(1, f"The {composition.evidence[0].claim.outlet} report is dated {first} and the "
                        f"{composition.evidence[1].claim.outlet} report {second} [1][2].")
    return " ".join(lines), passages


class ClaimsRoute:
    """The answer chain's route for comparison and temporal yes/no questions: one claim per report, judged apart,
    composed in code. Built by services.py and handed to AnswerChain, so the chain does not stand on this module
    (one floor less on the import picture)."""

    def __init__(self, settings: Settings, retriever: Retriever, chat_model: BaseChatModel, encode):
        self.settings = settings
        self.retriever = retriever
        self.encode = encode
        self.judge = ClaimJudge(chat_model)

    def answer(self, plan: QuestionPlan, query: str, filters: SearchFilters) -> tuple[str, list[Passage], list[dict]]:
        """The composed answer text (before the citation check), the passages it cites, and each claim's record."""
        evidence = gather(plan, self.retriever, self.encode, self.judge if needs_judge(plan) else None,
                          window_chars=self.settings.claim_passage_chars)
        composition = compose(plan, evidence, self.settings.claim_threshold, self.encode)
        text, passages = explain(plan, composition, self.encode)
        if not passages:  # no report of the named outlets matched a claim: show what the search found instead
            passages = self.retriever.search(query, k=2, filters=filters)
            quotes = [f"{p.source} ({(p.published_at or 'undated')[:10]}): “{best_sentence(p, query, self.encode).rstrip('.')}” [{i}]."
                      for i, p in enumerate(passages, 1)]
            text = " ".join([composition.answer + ".", *quotes])
        claims = [{"text": e.claim.text, "outlet": e.claim.outlet, "support": round(e.support, 3),
                   "published": e.published, "rule": composition.rule} for e in evidence]
        return text, passages, claims

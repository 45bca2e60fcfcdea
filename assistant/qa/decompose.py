"""Answer yes/no questions about several reports one claim at a time, and compose the answer in code.

Each claim of a comparison or temporal question is searched for within its own outlet (and
date, when the question gives one), judged against its best passages by the chat model's
Yes/No probability, and the answer is composed by logic: all claims supported -> Yes for a
conjunction; publication dates compared in code for "before"/"after"; the small model never
orders dates or combines judgements itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.qa.judge import ClaimJudge
from assistant.qa.passage_window import best_windows
from assistant.qa.questions import Claim, QuestionPlan
from assistant.records import Passage, SearchFilters


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


def gather(plan: QuestionPlan, retriever, encode, judge: ClaimJudge | None, passages_per_claim: int = 2,
           window_chars: int = 320) -> list[ClaimEvidence]:
    """Per claim: its best passages inside the named outlet (and dates), and the judge's support score."""
    evidence = []
    for claim in plan.claims:
        query = f"{claim.text}"
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


def compose(plan: QuestionPlan, evidence: list[ClaimEvidence], threshold: float) -> Composition:
    """Yes/No from the claims' support and, for order questions, from the reports' dates."""
    if plan.order and len(evidence) >= 2 and evidence[0].published and evidence[1].published:
        first, second = evidence[0].published, evidence[1].published
        holds = first < second if plan.order == "before" else first > second
        return Composition("Yes" if holds else "No", f"dates:{plan.order}", evidence)
    supported = [e.support >= threshold for e in evidence]
    if plan.stance == "inconsistent":
        # "Was there a change / a discrepancy?": reports that each hold up as described agree with the question's premise
        return Composition("Yes" if all(supported) else "No", "claims:inconsistent", evidence)
    return Composition("Yes" if all(supported) else "No", "claims:all", evidence)


def best_sentence(passage: Passage, claim: str, encode) -> str:
    """The passage sentence closest in meaning to the claim (the one an answer quotes)."""
    from assistant.sentences import split_sentences
    sentences = [s for s in split_sentences(passage.text) if len(s) > 20] or [passage.text.strip()]
    vectors = encode([claim] + sentences)
    return sentences[int((vectors[1:] @ vectors[0]).argmax())]


def explain(plan: QuestionPlan, composition: Composition, encode) -> tuple[str, list[Passage]]:
    """The answer text (Yes/No, then one cited sentence per report) and the passages it cites, in order."""
    passages: list[Passage] = []
    lines = [composition.answer + "."]
    for item in composition.evidence:
        if not item.passages:
            lines.append(f"No {item.claim.outlet} report about this was found.")
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

"""What one question gave: the answer, its passages and checks, and why it was refused if it was.

Apart from the answer chain so that whatever reads or makes an answer (the eval runner, the textbook baseline)
does not stand on the chain's machinery.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from assistant.grounding.citations import CheckedAnswer, citation_json
from assistant.qa.questions import QuestionPlan
from assistant.records import Passage, SearchFilters
from assistant.retrieval.recency import TimeFocus


@dataclass
class AnswerResult:
    question: str
    query: str  # what was searched for (the rewritten question for follow-ups)
    answer: str
    refused: bool
    passages: list[Passage]
    checked: CheckedAnswer | None
    filters: SearchFilters
    timings: dict[str, float] = field(default_factory=dict)
    prompt_inputs: dict = field(default_factory=dict, repr=False)  # what filled the answer prompt (for benchmarks)
    unknown_terms: list[str] = field(default_factory=list)  # why a refusal came before the model was asked
    refusal_reason: str = ""  # no_passages | unknown_terms | missing_outlet | model | unsupported
    raw_answer: str = ""  # what the model wrote, before checking
    plan: QuestionPlan | None = field(default=None, repr=False)
    route: str = "plain"  # plain | claims (decomposed into one claim per report)
    claims: list[dict] = field(default_factory=list)  # per claim: text, outlet, support, published
    focus: TimeFocus | None = field(default=None, repr=False)  # when it was asked and how much newness mattered

    @property
    def unsupported(self) -> list[str]:
        return self.checked.unsupported if self.checked else []

    def citations_json(self) -> list[dict]:
        if not self.checked or self.refused:
            return []
        return [citation_json(c) for c in self.checked.citations]

    def to_json(self) -> dict:
        return {"question": self.question, "answer": self.answer, "refused": self.refused,
                "refusal_reason": self.refusal_reason, "query": self.query,
                "citations": self.citations_json(), "unsupported": self.unsupported,
                "dangling_markers": self.checked.dangling if self.checked else 0, "unknown_terms": self.unknown_terms,
                "sentences": [asdict(s) for s in self.checked.sentences] if self.checked else [],
                "shape": self.plan.shape if self.plan else "", "route": self.route, "claims": self.claims,
                "timings": {k: round(v, 4) for k, v in self.timings.items()}}

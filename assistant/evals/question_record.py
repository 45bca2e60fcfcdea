"""One scored question of an eval run: what the runner fills in and the reports write out.

A module of its own so the reports read the record without importing the runner (and the answer chain under it).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class QuestionRecord:
    id: str
    question_type: str
    answer_type: str
    question: str
    gold: str
    answer: str = ""
    query: str = ""
    refused: bool = False
    refusal_reason: str = ""
    raw_answer: str = ""
    answerable: bool = True
    correct: float = 0.0  # against the gold answer (refusal for unanswerable questions)
    route: str = ""
    shape: str = ""
    claims: list[dict] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    citation: dict[str, float] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

"""Eval datasets: a folder with `corpus.jsonl` (articles) and `qa.jsonl` (questions with gold answers).

MultiHop-RAG's `qa-dev.jsonl` has the same fields, so its folder works as it is. RealTimeQA's rows say
`gold` for the answer and `date` for the quiz day (asked as `today`); they carry no evidence, so the
gold-holding articles are found in the corpus (assistant/evals/gold_evidence.py).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path


@dataclass(frozen=True)
class Evidence:
    doc_id: str
    fact: str


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answer: str
    answer_type: str
    question_type: str
    evidence: tuple[Evidence, ...] = ()
    history: tuple[dict, ...] = ()  # earlier turns: {"role": "user"|"assistant", "content": ...}
    today: str | None = None  # the date relative expressions count from, when the question has any

    @property
    def answerable(self) -> bool:
        return self.answer_type != "insufficient_information"


@dataclass
class Dataset:
    name: str
    corpus_path: Path
    qa_path: Path
    questions: list[Question] = field(default_factory=list)
    briefings_path: Path | None = None


def _qa_file(folder: Path) -> Path:
    for name in ("qa.jsonl", "qa-dev.jsonl"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{folder}: no qa.jsonl (or qa-dev.jsonl) in the dataset folder")


def load_dataset(folder: Path) -> Dataset:
    folder = Path(folder)
    corpus = folder / "corpus.jsonl"
    if not corpus.is_file():
        raise FileNotFoundError(f"{folder}: no corpus.jsonl in the dataset folder")
    qa_path = _qa_file(folder)
    questions = []
    for number, line in enumerate(qa_path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{qa_path}:{number}: malformed JSON ({exc.msg})") from None
        try:
            answer = row["answer"] if "answer" in row else row["gold"]
            questions.append(Question(
                id=str(row["id"]), question=row["question"], answer=answer,
                answer_type=row.get("answer_type", "entity"), question_type=row.get("question_type") or "other",
                evidence=tuple(Evidence(e["doc_id"], e["fact"]) for e in row.get("evidence", [])),
                history=tuple(row.get("history", [])), today=row.get("today") or row.get("date"),
            ))
        except KeyError as exc:
            raise ValueError(f"{qa_path}:{number}: missing field {exc.args[0]!r}") from None
    if questions and not any(q.evidence for q in questions) and all(q.today for q in questions):
        from assistant.evals.gold_evidence import corpus_evidence
        questions = [replace(q, evidence=tuple(Evidence(doc_id, fact) for doc_id, fact in pairs))
                     for q, pairs in zip(questions, corpus_evidence(questions, corpus))]
    briefings = folder / "briefings.jsonl"
    return Dataset(name=folder.name, corpus_path=corpus, qa_path=qa_path, questions=questions,
                   briefings_path=briefings if briefings.is_file() else None)


def stratified(questions: list[Question], limit: int, seed: int = 0, whole_types: Collection[str] = ()) -> list[Question]:
    """Up to `limit` questions with each question type kept in proportion (deterministic order).

    Seed 0 takes evenly spaced questions within each type; another seed draws them at random. Types in
    `whole_types` are kept whole on top of the limit (a gate over few unanswerable questions moves a
    fifth per question when it keeps only its share of them).
    """
    if limit <= 0 or limit >= len(questions):
        return list(questions)
    import random
    rng = random.Random(seed)
    groups: dict[str, list[Question]] = {}
    for q in questions:
        groups.setdefault(q.question_type, []).append(q)
    picked: list[Question] = []
    quotas = {t: max(1, round(limit * len(g) / len(questions))) for t, g in groups.items()}
    extra = sum(len(groups[t]) - quotas[t] for t in whole_types if t in groups)
    quotas.update({t: len(groups[t]) for t in whole_types if t in groups})
    for t, group in groups.items():
        if seed:
            picked.extend(rng.sample(group, min(quotas[t], len(group))))
        else:
            step = len(group) / quotas[t]
            picked.extend(group[int(i * step)] for i in range(quotas[t]))
    order = {q.id: i for i, q in enumerate(questions)}
    return sorted(picked, key=lambda q: order[q.id])[:limit + extra]

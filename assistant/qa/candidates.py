"""When the model's lead names nothing of the asked kind: the candidates the passages offer, and a choice.

The candidates are the names (countries, people, numbers ...) of the asked kind in the passages,
ranked in code by how many of the question's words share their sentence and how many passages
name them. The chat model then only picks a letter, continuing the conversation it answered in,
so llama.cpp's prompt cache holds the passages and the choice costs one short turn; "none of
these" is always offered, and wins keep the first answer (or the refusal).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from assistant.language import CALENDAR_WORDS, MONTHS, content_words, normalize_answer
from assistant.models.chat import with_max_tokens
from assistant.prompts import load_prompt
from assistant.qa.answer_type import AnswerType, candidates_in
from assistant.records import Passage
from assistant.sentences import split_sentences

# Capitalised sentence openers that are never an answer.
FIRST_WORD_NOISE = frozenset("one two three four five first second last new more most many some all each every "
                             "here there this that these those it its he she they we you i after before when while "
                             "as at in on for from by with but and or so if yes no not "
                             "mr mrs ms dr".split()) | frozenset(MONTHS)
NEVER_AN_ANSWER = FIRST_WORD_NOISE | CALENDAR_WORDS
MAX_OPTIONS = 4  # letters A-D, then "none of these"
# A headline in title case capitalises every word, so its capitals say nothing about who is named: for a person
# question a title counts only when under this share of its words is capitalised (other kinds keep every title).
TITLE_CASE_SHARE = 0.6
KINDS_FOUND_BY_CAPITALS = frozenset({"person"})
SHORT_WORDS = frozenset("a an the of in on at to for and or but by with from as is are vs".split())
# A person's name does not end in a word that ends the names of organisations, events and places ("Harbour Arts
# Council", "Lantern Festival", "Dubai Airport"). Words that are also surnames (Court, Church, Law, Brand, Hall,
# Park, Post, Holiday) are left out, so "Margaret Court" and "Jude Law" stay people.
NOT_A_PERSON_LAST_WORD = frozenset(
    "festival council committee commission ministry department agency authority board institute foundation "
    "association union university college school academy museum gallery library airport stadium arena hospital "
    "company corporation inc corp ltd llc plc group bank party league club team federation organisation "
    "organization news times journal magazine network channel studios records awards award prize cup "
    "championship championships tournament games olympics summit conference act treaty house palace "
    "castle center centre square avenue bridge island county city province republic kingdom state".split())
LETTERS = "ABCDE"


@dataclass(frozen=True)
class Candidate:
    text: str
    n: int  # the passage (1-based) whose sentence names it best
    sentence: str
    score: float


def sentence_candidates(sentence: str, wanted: AnswerType) -> list[str]:
    """The sentence's answers of the wanted kind (its capitalised first word included), without the words
    that open sentences or name the calendar and are never an answer on their own."""
    found = candidates_in(f"x {sentence}", wanted)
    return [c for c in found if c.lower().rstrip(".") not in NEVER_AN_ANSWER]


def in_title_case(text: str) -> bool:
    """Whether most of a headline's longer words are capitalised ("Lantern Festival Returns To The Harbour")."""
    longer = [w for w in re.findall(r"[A-Za-z][\w'’-]*", text) if w.lower() not in SHORT_WORDS]
    return len(longer) >= 2 and sum(w[0].isupper() for w in longer) / len(longer) >= TITLE_CASE_SHARE


def fits_kind(key: str, wanted: AnswerType) -> bool:
    """Whether a found name (normalised) can be of the wanted kind: a person's does not end like an organisation's."""
    return wanted.kind != "person" or key.rsplit(" ", 1)[-1] not in NOT_A_PERSON_LAST_WORD


def as_written(name: str, passages: Sequence[Passage]) -> str:
    """A name whose possessive was cut ("McDonald") as the passages write it when they never write it bare."""
    text = " ".join(f"{p.title} {p.text}" for p in passages)
    possessive = re.search(rf"\b{re.escape(name)}['’]s\b", text)
    bare = re.search(rf"\b{re.escape(name)}\b(?!['’]s\b)", text)
    return possessive.group(0) if possessive and not bare else name


def candidates_for(question: str, wanted: AnswerType, passages: Sequence[Passage]) -> list[Candidate]:
    """Up to MAX_OPTIONS answers of the wanted kind, best first; none that the question itself names."""
    asked = content_words(question)
    asked_text = f" {normalize_answer(question)} "
    best: dict[str, Candidate] = {}
    mentions: dict[str, set[int]] = {}
    for n, passage in enumerate(passages, 1):
        title_counts = wanted.kind not in KINDS_FOUND_BY_CAPITALS or not in_title_case(passage.title)
        for sentence in ([passage.title] if title_counts else []) + split_sentences(passage.text):
            for found in sentence_candidates(sentence, wanted):
                key = normalize_answer(found)
                if not key or f" {key} " in asked_text or len(key) < 2 or not fits_kind(key, wanted):
                    continue
                overlap = len(asked & content_words(sentence)) / max(1, len(asked))
                mentions.setdefault(key, set()).add(n)
                if key not in best or overlap > best[key].score:
                    best[key] = Candidate(found.strip(), n, sentence.strip(), overlap)
    ranked = [Candidate(as_written(c.text, passages), c.n, c.sentence, c.score + 0.15 * math.log1p(len(mentions[key])))
              for key, c in best.items()]
    return sorted(ranked, key=lambda c: -c.score)[:MAX_OPTIONS]


def options_text(candidates: Sequence[Candidate]) -> str:
    lines = [f"{LETTERS[i]}) {c.text}" for i, c in enumerate(candidates)]
    lines.append(f"{LETTERS[len(candidates)]}) none of these")
    return "\n".join(lines)


def letter_probabilities(message, count: int) -> list[float]:
    """P(letter) for the first `count` + 1 letters (the last is "none"), from the first token's top log-probs."""
    logprobs = (message.response_metadata or {}).get("logprobs") or {}
    content = logprobs.get("content") if isinstance(logprobs, dict) else None
    probabilities = [0.0] * (count + 1)
    if content:
        for entry in content[0].get("top_logprobs", []):
            token = entry.get("token", "").strip().rstrip(")").upper()
            if len(token) == 1 and token in LETTERS[: count + 1]:
                probabilities[LETTERS.index(token)] += math.exp(entry["logprob"])
    if not any(probabilities):  # a backend without log-probs: the letter it wrote
        token = str(message.content).strip()[:1].upper()
        if token in LETTERS[: count + 1]:
            probabilities[LETTERS.index(token)] = 1.0
    return probabilities


class CandidateChooser:
    def __init__(self, chat_model: BaseChatModel):
        self.model = with_max_tokens(chat_model, 1).bind(logprobs=True, top_logprobs=10)

    def choose(self, conversation: list[BaseMessage], first_answer: str, question: str,
               candidates: Sequence[Candidate]) -> Candidate | None:
        """The candidate the model picks as the answer, or None when it picks "none of these"."""
        if not candidates:
            return None
        turn = load_prompt("choose_answer").format(question=question, options=options_text(candidates))
        message = self.model.invoke([*conversation, AIMessage(first_answer), HumanMessage(turn)])
        probabilities = letter_probabilities(message, len(candidates))
        best = max(range(len(probabilities)), key=lambda i: probabilities[i])
        return candidates[best] if best < len(candidates) and probabilities[best] > 0 else None

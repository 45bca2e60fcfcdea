"""The question-answering chain: (rewrite) -> retrieve -> prompt | chat model -> check citations."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate

from assistant.markers import MARKER
from assistant.models.embeddings import SentenceEmbeddings
from assistant.language import answer_language_line
from assistant.prompts import format_passages, load_prompt
from assistant.grounding.citations import CheckedAnswer, check_answer
from assistant.dates import relative_date_range
from assistant.qa.entities import mentions, voted_entity
from assistant.grounding.passage_window import best_windows
from assistant.qa.questions import QuestionPlan, analyse
from assistant.retrieval.outlets import OutletMatcher
from assistant.qa.refusal import looks_like_refusal, unknown_terms
from assistant.qa.result import AnswerResult
from assistant.qa.answer_type import expected_type, names_kind, spelled_out
from assistant.qa.candidates import Candidate, CandidateChooser, candidates_for
from assistant.qa.naming import named_in_full
from assistant.retrieval.recency import TimeFocus, date_label, time_focus
from assistant.retrieval.protocol import Retriever
from assistant.records import Passage, SearchFilters
from assistant.safety import is_meta_question
from assistant.sentences import split_sentences
from assistant.settings import Settings
from assistant.prompt_chains import text_chain

# Words that make a follow-up depend on the conversation; without them a question stands alone.
REFERS_BACK = re.compile(
    r"\b(he|she|they|him|her|them|his|hers|their|theirs|it|its|this|that|these|those|there|then|"
    r"former|latter|same|also|else|other|another|more|again|next|before|after that|what about|how about)\b",
    re.I,
)


def needs_rewrite(question: str, history: Sequence[dict]) -> bool:
    return bool(history) and bool(REFERS_BACK.search(question))


def format_history(history: Sequence[dict], turns: int = 4) -> str:
    lines = []
    for message in list(history)[-turns:]:
        role = "User" if message.get("role") == "user" else "Assistant"
        content = MARKER.sub("", str(message.get("content", ""))).strip()
        lines.append(f"{role}: {content[:400]}")
    return "\n".join(lines)


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def newest_first(passages: list[Passage]) -> list[Passage]:
    """For questions about the present: the newest report is passage [1] (undated ones last)."""
    return sorted(passages, key=lambda p: p.published_at or "", reverse=True)


def chosen_answer(candidate: Candidate, passages: Sequence[Passage]) -> str:
    """The chosen candidate as the lead, backed by the passage sentence that names it, quoted and cited."""
    passage = passages[candidate.n - 1]
    day = (passage.published_at or "undated")[:10]
    quote = candidate.sentence.rstrip(" .")
    return f"{candidate.text} [{candidate.n}]. {passage.source} ({day}): “{quote}” [{candidate.n}]."


# An answer resting on a report older than this names the report's date ("as of <date>" for a question about
# now, "reported <date>" for an undated news question; recency.DATE_LABELS).
AS_OF_AFTER_DAYS = 7


def dated_lead(answer: str, checked: CheckedAnswer, passages: Sequence[Passage], focus: TimeFocus) -> str:
    """The lead sentence says how old its report is when the question is about now or this week's news (not one
    that names its own dates) and the report is not of this week: an older report is never stated as the
    present state."""
    if focus.date_word is None:
        return answer
    newest = checked.lead_published_at(passages)
    if newest is None:
        return answer
    age = focus.age_days(newest)
    if age is None or age <= AS_OF_AFTER_DAYS:
        return answer
    first = first_sentence(answer)
    if newest[:10] in first:  # the lead already gives the report's day
        return answer
    label = date_label(newest, focus.date_word)
    dated = re.sub(r"\s*((?:\[\d[^\]]*\])*)\s*([.!?]?)$", lambda m: f" ({label}){(' ' + m.group(1)) if m.group(1) else ''}{m.group(2) or '.'}",
                   first, count=1)
    return dated + answer[len(first):]


def is_bare_yes_no(sentence: str) -> bool:
    return bool(re.fullmatch(r"(yes|no)\b[.,!]?", sentence.strip().lower()))


@dataclass
class Turn:
    """One question on its way through the chain: what was asked and searched, when, and each step's timings."""

    question: str
    query: str  # the question as searched (rewritten for a follow-up)
    filters: SearchFilters
    focus: TimeFocus
    started: float
    timings: dict[str, float] = field(default_factory=dict)
    plan: QuestionPlan | None = None

    def finish(self) -> None:
        self.timings["total_s"] = time.perf_counter() - self.started

    def result(self, answer: str, refused: bool, passages: list[Passage], checked: CheckedAnswer | None,
               **extra) -> AnswerResult:
        return AnswerResult(self.question, self.query, answer, refused, passages, checked, self.filters, self.timings,
                            **{"plan": self.plan, **extra})


class ClaimsRoute(Protocol):
    """What the chain asks of the claims route (qa.decompose.ClaimsRoute, handed in by services.py)."""

    def answer(self, plan: QuestionPlan, query: str, filters: SearchFilters) -> tuple[str, list[Passage], list[dict]]:
        ...


class AnswerChain:
    """Answers one question at a time; `stream` yields text pieces, then the final AnswerResult.

    `claims_route` answers comparison and temporal yes/no questions claim by claim (settings.decompose); without
    one every question takes the plain route."""

    def __init__(self, settings: Settings, retriever: Retriever, chat_model: BaseChatModel,
                 embeddings: SentenceEmbeddings, claims_route: ClaimsRoute | None = None):
        self.settings = settings
        self.retriever = retriever
        self.embeddings = embeddings
        self.claims_route = claims_route
        self.answer_prompt = ChatPromptTemplate.from_messages([
            ("system", load_prompt("answer_system").replace("{refusal}", settings.refusal_text)),
            ("human", load_prompt("answer_user")),
        ])
        self.chat_model = chat_model
        self.answer_chain = self.answer_prompt | chat_model
        self.rewrite_chain = text_chain(chat_model, "condense_question", max_tokens=64)
        self.chooser = CandidateChooser(chat_model)
        self._matcher: tuple[frozenset, OutletMatcher] | None = None

    def matcher(self) -> OutletMatcher:
        """The outlet matcher for the outlets now in the index (rebuilt when they change)."""
        outlets = frozenset(self.retriever.outlets())
        if self._matcher is None or self._matcher[0] != outlets:
            self._matcher = (outlets, OutletMatcher(outlets))
        return self._matcher[1]

    def rewrite(self, question: str, history: Sequence[dict]) -> str:
        if not needs_rewrite(question, history):
            return question
        rewritten = self.rewrite_chain.invoke({"history": format_history(history), "question": question}).strip()
        rewritten = rewritten.splitlines()[0].strip().strip('"') if rewritten else ""
        return rewritten or question

    def resolve_filters(self, question: str, filters: SearchFilters, today: date) -> SearchFilters:
        """The caller's filters, or, when they set no dates, a window from a relative date in the question."""
        if filters.since is None and filters.until is None:
            window = relative_date_range(question, today)
            if window:
                filters = SearchFilters(sources=filters.sources, since=window[0], until=window[1])
        return filters

    def refusal(self, turn: Turn, passages: list[Passage], reason: str, **extra) -> Iterator[str | AnswerResult]:
        """Say plainly that the articles do not hold the answer (and record why, for the evals)."""
        turn.finish()
        yield self.settings.refusal_text
        yield turn.result(self.settings.refusal_text, True, passages, None, refusal_reason=reason, **extra)

    def stream(self, question: str, history: Sequence[dict] = (), filters: SearchFilters | None = None,
               today: date | None = None) -> Iterator[str | AnswerResult]:
        started = time.perf_counter()
        today = today or self.settings.effective_today()
        query = self.rewrite(question, history)
        rewrite_s = time.perf_counter() - started
        given = filters or SearchFilters()
        turn = Turn(question, query, self.resolve_filters(query, given, today), time_focus(query, today), started,
                    {"rewrite_s": rewrite_s})
        if is_meta_question(query):
            # About the assistant, not the articles: a plain description, never prompt text, never a citation.
            turn.finish()
            about = load_prompt("about")
            yield about
            yield turn.result(about, True, [], None, refusal_reason="about_assistant")
            return
        mark = time.perf_counter()
        turn.plan = plan = analyse(query, self.matcher())
        if plan.missing_outlets and self.settings.refuse_missing_outlets:
            # The question is about a report from an outlet the index does not hold: its premise cannot be checked.
            yield from self.refusal(turn, [], "missing_outlet", unknown_terms=plan.missing_outlets)
            return
        missing = unknown_terms(query, self.retriever.vocabulary(), self.retriever.stems()) \
            if self.settings.refuse_unknown_terms else []
        if missing:
            # No article mentions a name or number the question is about: any answer would be a guess.
            turn.timings["retrieval_ms"] = (time.perf_counter() - mark) * 1000
            yield from self.refusal(turn, [], "unknown_terms", unknown_terms=missing)
            return
        if self.claims_route is not None and self.settings.decompose and plan.yes_no and plan.as_claims().claims:
            yield from self.answer_by_claims(turn)
            return
        # The relative window ("this week", "in March") is the focus's strong preference, never a wall: a
        # window that holds nothing falls back to the nearest reports, and "in March" may name when
        # something happened rather than when it was reported.
        turn.filters = given
        passages = self.prompt_passages(turn, mark)
        if not passages:
            yield from self.refusal(turn, [], "no_passages", plan=None)  # a search that found nothing records no shape
            return
        inputs = {"passages": format_passages(passages), "question": query, "today": today.isoformat(),
                  "language_line": answer_language_line(question)}
        raw = yield from self.generate(turn, inputs)
        yield self.checked_result(turn, raw, passages, inputs)

    def prompt_passages(self, turn: Turn, mark: float) -> list[Passage]:
        """The top passages for the prompt (newest first for a question about now), each cut to its best window."""
        passages = self.retriever.search(turn.query, k=self.settings.top_k, filters=turn.filters, focus=turn.focus)
        if turn.focus.present:
            passages = newest_first(passages)
        turn.timings["retrieval_ms"] = (time.perf_counter() - mark) * 1000
        if passages and self.settings.passage_chars:
            mark = time.perf_counter()
            passages = best_windows(passages, turn.query, self.embeddings.encode, self.settings.passage_chars)
            turn.timings["window_ms"] = (time.perf_counter() - mark) * 1000
        return passages

    def generate(self, turn: Turn, inputs: dict) -> Iterator[str]:
        """Stream the model's answer piece by piece; returns the whole text (and records the model's timings)."""
        timings = turn.timings
        mark = time.perf_counter()
        pieces: list[str] = []
        usage: dict = {}
        for chunk in self.answer_chain.stream(inputs):
            if chunk.content:
                if not pieces:
                    timings["first_token_s"] = time.perf_counter() - turn.started
                pieces.append(chunk.content)
                yield chunk.content
            usage.update(chunk.response_metadata.get("timings", {}))
        timings["generation_s"] = time.perf_counter() - mark
        if usage:
            timings["prompt_tokens"] = usage.get("prompt_n", 0) + usage.get("cache_n", 0)
            timings["generated_tokens"] = usage.get("predicted_n", 0)
            timings["model_prompt_ms"] = usage.get("prompt_ms", 0.0)
            timings["model_generation_ms"] = usage.get("predicted_ms", 0.0)
        return "".join(pieces).strip()

    def checked_result(self, turn: Turn, raw: str, passages: list[Passage], inputs: dict) -> AnswerResult:
        """The model's text as an answer: of the asked kind (or a candidate chosen), each sentence checked, the
        refusal when nothing it cites is supported, and an old lead's date ("as of", "reported")."""
        timings, query, plan = turn.timings, turn.query, turn.plan
        refused = looks_like_refusal(raw, self.settings.refusal_text)
        checked = None
        wanted = expected_type(query)
        chosen = None
        if plan.shape == "fact" and self.settings.check_answer_type and wanted.checkable:
            lead = "" if refused else first_sentence(raw)
            if refused or not names_kind(MARKER.sub("", lead), wanted, " ".join(f"{p.title} {p.text}" for p in passages)):
                mark = time.perf_counter()
                conversation = self.answer_prompt.format_messages(**inputs)
                chosen = self.chooser.choose(conversation, raw, query, candidates_for(query, wanted, passages))
                timings["choice_ms"] = (time.perf_counter() - mark) * 1000
        if chosen is not None:
            refused, raw = False, chosen_answer(chosen, passages)
        if refused:
            answer = self.settings.refusal_text
        else:
            mark = time.perf_counter()
            checked = check_answer(raw, passages, self.embeddings.encode, self.settings.support_threshold,
                                   exempt=is_bare_yes_no)
            timings["verify_ms"] = (time.perf_counter() - mark) * 1000
            answer = named_in_full(spelled_out(checked.text, wanted), passages, wanted.kind) \
                if plan.shape == "fact" else checked.text
            if plan.shape == "inference":
                voted = self.vote(query, plan, answer, passages)
                if voted is not None:
                    checked, answer = voted, voted.text
            if self.settings.refuse_unsupported and not any(s.supported and s.markers for s in checked.sentences):
                # Nothing the model said is backed by a passage it cited: more likely a guess than an answer.
                refused, answer = True, self.settings.refusal_text
            elif wanted.kind != "date":  # a date beside an answer that is itself a date would blur it
                answer = dated_lead(answer, checked, passages, turn.focus)
        turn.finish()
        reason = ("model" if checked is None else "unsupported") if refused else ""
        return turn.result(answer, refused, passages, checked, prompt_inputs=inputs, refusal_reason=reason,
                           raw_answer=raw, route="chosen" if chosen else "plain", focus=turn.focus)

    def vote(self, query: str, plan: QuestionPlan, answer: str, passages: list[Passage]):
        """For "which entity do these outlets report" questions: the name every named outlet's passages share."""
        lead = re.split(r"(?<=[.!?])\s|\[", answer, maxsplit=1)[0].strip().rstrip(".")
        name = voted_entity(query, lead, passages, plan.named_sources)
        if name is None:
            return None
        parts = [f"{name}."]
        for outlet in sorted({p.source for p in passages} & plan.named_sources):
            n, passage = next((i, p) for i, p in enumerate(passages, 1) if p.source == outlet and mentions(name, p.title + " " + p.text))
            sentence = next((s for s in split_sentences(passage.text) if mentions(name, s)), passage.title)
            parts.append(f"{outlet}: “{sentence.strip().rstrip('.')}” [{n}].")
        return check_answer(" ".join(parts), passages, self.embeddings.encode, self.settings.support_threshold,
                            exempt=is_bare_yes_no, repair=False)

    def answer_by_claims(self, turn: Turn) -> Iterator[str | AnswerResult]:
        """Comparison and temporal yes/no questions: one claim per report, judged apart, composed in code."""
        timings = turn.timings
        mark = time.perf_counter()
        text, passages, claims = self.claims_route.answer(turn.plan, turn.query, turn.filters)
        timings["claims_s"] = time.perf_counter() - mark
        checked = check_answer(text, passages, self.embeddings.encode, self.settings.support_threshold,
                               exempt=is_bare_yes_no, repair=False)
        timings["first_token_s"] = time.perf_counter() - turn.started
        turn.finish()
        yield checked.text
        yield turn.result(checked.text, False, passages, checked, route="claims", claims=claims, raw_answer=text)

    def ask(self, question: str, history: Sequence[dict] = (), filters: SearchFilters | None = None,
            today: date | None = None) -> AnswerResult:
        result = None
        for item in self.stream(question, history, filters, today):
            if isinstance(item, AnswerResult):
                result = item
        assert result is not None
        return result

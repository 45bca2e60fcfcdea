"""The question-answering chain: (rewrite) -> retrieve -> prompt | chat model -> check citations."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

from assistant.citations import CheckedAnswer, check_answer
from assistant.dates import relative_date_range
from assistant.models.embeddings import SentenceEmbeddings
from assistant.prompts import load_prompt
from assistant.retrieval import HybridRetriever, Passage, SearchFilters
from assistant.tighten import tighten
from assistant.runtime import MODEL_LOCK
from assistant.settings import Settings

# Words that make a follow-up depend on the conversation; without them a question stands alone.
REFERS_BACK = re.compile(
    r"\b(he|she|they|him|her|them|his|hers|their|theirs|it|its|this|that|these|those|there|then|"
    r"former|latter|same|also|else|other|another|more|again|next|before|after that|what about|how about)\b",
    re.I,
)
REFUSAL_PATTERNS = re.compile(
    r"(do(es)? not contain|don't contain|does not (say|mention|state|provide)|not (mentioned|stated|provided) in|"
    r"no information|insufficient information|not enough information|cannot (answer|determine|be determined)|"
    r"can't (answer|determine)|unable to (answer|determine)|passages do not|articles do not)",
    re.I,
)


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
    refusal_reason: str = ""  # no_passages | unknown_terms | model | unsupported
    raw_answer: str = ""  # what the model wrote, before checking

    @property
    def unsupported(self) -> list[str]:
        return self.checked.unsupported if self.checked else []

    def citations_json(self) -> list[dict]:
        if not self.checked or self.refused:
            return []
        return [{"n": c.n, "article_id": c.passage.article_id, "title": c.passage.title, "source": c.passage.source,
                 "url": c.passage.url, "published_at": c.passage.published_at, "start": c.passage.start,
                 "end": c.passage.end, "text": c.passage.text, "highlight_start": c.highlight_start,
                 "highlight_end": c.highlight_end} for c in self.checked.citations]

    def to_json(self) -> dict:
        return {"question": self.question, "answer": self.answer, "refused": self.refused,
                "refusal_reason": self.refusal_reason, "query": self.query,
                "citations": self.citations_json(), "unsupported": self.unsupported,
                "dangling_markers": self.checked.dangling if self.checked else 0, "unknown_terms": self.unknown_terms,
                "sentences": [asdict(s) for s in self.checked.sentences] if self.checked else [],
                "timings": {k: round(v, 4) for k, v in self.timings.items()}}


def format_passages(passages: Sequence[Passage]) -> str:
    template = load_prompt("passage")
    return "\n\n".join(template.format(n=i, title=p.title, source=p.source, date=(p.published_at or "undated")[:10],
                                       text=p.text.strip()) for i, p in enumerate(passages, 1))


QUESTION_WORDS = frozenset("which what who whom whose when where why how did does do is are was were has have had can could "
                           "will would should according in on at of for and or the a an if after before between".split())
KEY_TERM = re.compile(r"\b(?:[A-Z][\w&.-]*[\w&]|\d[\d,.]*\d)")


def key_terms(question: str) -> list[str]:
    """Names and numbers a question is about: capitalised words (not the opening word) and multi-digit numbers."""
    terms = []
    for match in KEY_TERM.finditer(question):
        word = re.sub(r"['’]s$", "", match.group(0))
        if match.start() == 0 or word.lower() in QUESTION_WORDS or len(word) < 3 and not word.isdigit():
            continue
        terms.append(word)
    return list(dict.fromkeys(terms))


def unknown_terms(question: str, vocabulary: set[str]) -> list[str]:
    """Key terms of the question that appear nowhere in the indexed articles (titles, outlets, text)."""
    unknown = []
    for term in key_terms(question):
        words = re.findall(r"\w+", term_stem(term))
        if words and not all(known_word(w, vocabulary) for w in words):
            unknown.append(term)
    return unknown


DEMONYM_ENDINGS = ("ish", "ian", "ese", "an", "i")
PLACE_ENDINGS = ("", "a", "ia", "ain", "an", "e", "y")


def known_word(word: str, vocabulary: set[str]) -> bool:
    """In the corpus as written, as a plural, or as the place a demonym names ("British" -> "britain")."""
    if word in vocabulary or word + "s" in vocabulary:
        return True
    for ending in DEMONYM_ENDINGS:
        stem = word[: -len(ending)]
        if word.endswith(ending) and len(stem) >= 3 and any(stem + place in vocabulary for place in PLACE_ENDINGS):
            return True
    return False


def term_stem(term: str) -> str:
    """Lower-case, no thousands separators, no plural -s: "Americans" matches "American", "$1000" matches "$1,000"."""
    term = term.lower().replace(",", "")
    return term[:-1] if len(term) > 4 and term.endswith("s") and not term.endswith("ss") else term


def looks_like_refusal(text: str, refusal_text: str) -> bool:
    head = text.strip()[:200]
    return refusal_text.lower().rstrip(".") in head.lower() or bool(REFUSAL_PATTERNS.search(head))


def needs_rewrite(question: str, history: Sequence[dict]) -> bool:
    return bool(history) and bool(REFERS_BACK.search(question))


def format_history(history: Sequence[dict], turns: int = 4) -> str:
    lines = []
    for message in list(history)[-turns:]:
        role = "User" if message.get("role") == "user" else "Assistant"
        content = re.sub(r"\s*\[\d+\]", "", str(message.get("content", ""))).strip()
        lines.append(f"{role}: {content[:400]}")
    return "\n".join(lines)


class AnswerChain:
    """Answers one question at a time; `stream` yields text pieces, then the final AnswerResult."""

    def __init__(self, settings: Settings, retriever: HybridRetriever, chat_model: BaseChatModel,
                 embeddings: SentenceEmbeddings):
        self.settings = settings
        self.retriever = retriever
        self.embeddings = embeddings
        refusal = settings.refusal_text
        answer_prompt = ChatPromptTemplate.from_messages([
            ("system", load_prompt("answer_system").replace("{refusal}", refusal)),
            ("human", load_prompt("answer_user")),
        ])
        self.answer_prompt = answer_prompt
        self.chat_model = chat_model
        self.answer_chain = answer_prompt | chat_model
        self.rewrite_chain = PromptTemplate.from_template(load_prompt("condense_question")) | chat_model | StrOutputParser()

    def rewrite(self, question: str, history: Sequence[dict]) -> str:
        if not needs_rewrite(question, history):
            return question
        rewritten = self.rewrite_chain.invoke({"history": format_history(history), "question": question},
                                              max_tokens=64).strip()
        rewritten = rewritten.splitlines()[0].strip().strip('"') if rewritten else ""
        return rewritten or question

    def resolve_filters(self, question: str, filters: SearchFilters) -> SearchFilters:
        """The caller's filters, or, when they set no dates, a window from a relative date in the question."""
        if filters.since is None and filters.until is None:
            window = relative_date_range(question, self.settings.effective_today())
            if window:
                filters = SearchFilters(sources=list(filters.sources), since=window[0], until=window[1])
        return filters

    def stream(self, question: str, history: Sequence[dict] = (), filters: SearchFilters | None = None
               ) -> Iterator[str | AnswerResult]:
        timings: dict[str, float] = {}
        started = time.perf_counter()
        query = self.rewrite(question, history)
        timings["rewrite_s"] = time.perf_counter() - started
        given = filters or SearchFilters()
        filters = self.resolve_filters(query, given)
        mark = time.perf_counter()
        passages = self.retriever.search(query, k=self.settings.top_k, filters=filters)
        if not passages and filters is not given:
            # "in March" may name when something happened, not when it was reported: search all dates instead.
            filters = given
            passages = self.retriever.search(query, k=self.settings.top_k, filters=filters)
        missing = unknown_terms(query, self.retriever.vocabulary()) if self.settings.refuse_unknown_terms else []
        if missing:
            # No article mentions a name or number the question is about: any answer would be a guess.
            timings["retrieval_ms"] = (time.perf_counter() - mark) * 1000
            timings["total_s"] = time.perf_counter() - started
            yield self.settings.refusal_text
            yield AnswerResult(question, query, self.settings.refusal_text, True, passages, None, filters, timings,
                               unknown_terms=missing, refusal_reason="unknown_terms")
            return
        timings["retrieval_ms"] = (time.perf_counter() - mark) * 1000
        if passages and self.settings.passage_chars:
            mark = time.perf_counter()
            with MODEL_LOCK:
                passages = tighten(passages, query, self.embeddings.encode, self.settings.passage_chars)
            timings["tighten_ms"] = (time.perf_counter() - mark) * 1000
        if not passages:
            yield self.settings.refusal_text
            timings["total_s"] = time.perf_counter() - started
            yield AnswerResult(question, query, self.settings.refusal_text, True, [], None, filters, timings,
                               refusal_reason="no_passages")
            return
        inputs = {"passages": format_passages(passages), "question": query}
        mark = time.perf_counter()
        pieces: list[str] = []
        usage: dict = {}
        for chunk in self.answer_chain.stream(inputs):
            if chunk.content:
                if not pieces:
                    timings["first_token_s"] = time.perf_counter() - started
                pieces.append(chunk.content)
                yield chunk.content
            usage.update(chunk.response_metadata.get("timings", {}))
        timings["generation_s"] = time.perf_counter() - mark
        if usage:
            timings["prompt_tokens"] = usage.get("prompt_n", 0) + usage.get("cache_n", 0)
            timings["generated_tokens"] = usage.get("predicted_n", 0)
            timings["model_prompt_ms"] = usage.get("prompt_ms", 0.0)
            timings["model_generation_ms"] = usage.get("predicted_ms", 0.0)
        raw = "".join(pieces).strip()
        refused = looks_like_refusal(raw, self.settings.refusal_text)
        checked = None
        if refused:
            answer = self.settings.refusal_text
        else:
            mark = time.perf_counter()
            with MODEL_LOCK:
                checked = check_answer(raw, passages, self.embeddings.encode, self.settings.support_threshold,
                                       exempt=lambda s: bool(re.fullmatch(r"(yes|no)\b[.,!]?", s.strip().lower())))
            timings["verify_ms"] = (time.perf_counter() - mark) * 1000
            answer = checked.text
            if self.settings.refuse_unsupported and not any(
                    s.supported and s.markers for s in checked.sentences):
                # Nothing the model said is backed by a passage it cited: more likely a guess than an answer.
                refused, answer = True, self.settings.refusal_text
        timings["total_s"] = time.perf_counter() - started
        reason = ("model" if checked is None else "unsupported") if refused else ""
        yield AnswerResult(question, query, answer, refused, passages, checked, filters, timings, inputs,
                           refusal_reason=reason, raw_answer=raw)

    def ask(self, question: str, history: Sequence[dict] = (), filters: SearchFilters | None = None) -> AnswerResult:
        result = None
        for item in self.stream(question, history, filters):
            if isinstance(item, AnswerResult):
                result = item
        assert result is not None
        return result

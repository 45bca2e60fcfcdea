"""The textbook RAG the product is measured against: dense top-k whole chunks and one plain prompt.

Same store, same embedder, same chat model, none of the product's machinery (no BM25, no windows,
no question analysis, no refusal gates, no checks). The eval runs it over the same questions so every
figure of the product has the baseline's beside it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from datetime import date


from assistant.qa.result import AnswerResult
from assistant.qa.refusal import looks_like_refusal
from assistant.records import SearchFilters
from assistant.prompt_chains import text_chain

DONT_KNOW = re.compile(r"\b(?:i\s+)?(?:don't|do not|cannot|can't)\s+(?:know|tell|say|answer)\b", re.I)


class DenseOnly:
    """The retriever the baseline sees: the product's dense search alone (for the retrieval figures too)."""

    def __init__(self, retriever):
        self.inner = retriever

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None, mode: str | None = None):
        return self.inner.search(query, k=k, filters=filters, mode="dense")


class TextbookRAG:
    """`ask` has the answer chain's signature, so the eval runner scores it the same way."""

    def __init__(self, settings, retriever, chat_model, top_k: int = 4):
        self.settings = settings
        self.retriever = DenseOnly(retriever)
        self.top_k = top_k
        self.chain = text_chain(chat_model, "baseline_rag")

    def ask(self, question: str, history: Sequence[dict] = (), filters: SearchFilters | None = None,
            today: date | None = None) -> AnswerResult:
        started = time.perf_counter()
        filters = filters or SearchFilters()
        passages = self.retriever.search(question, k=self.top_k, filters=filters)
        context = "\n\n".join(p.text for p in passages)
        answer = self.chain.invoke({"context": context, "question": question}).strip()
        refused = looks_like_refusal(answer, self.settings.refusal_text) or bool(DONT_KNOW.search(answer[:200]))
        timings = {"total_s": time.perf_counter() - started}
        return AnswerResult(question, question, answer, refused, passages, None, filters, timings,
                            refusal_reason="model" if refused else "", raw_answer=answer)

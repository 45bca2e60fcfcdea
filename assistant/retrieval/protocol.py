"""What the rest of the product asks of a retriever: the only door from the answer, summary and follow rooms
into retrieval.

HybridRetriever is the product's one implementation; tests hand in small fakes with the same four methods.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from assistant.records import Passage, SearchFilters
from assistant.retrieval.recency import TimeFocus


@runtime_checkable
class Retriever(Protocol):
    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None,
               mode: str | None = None, focus: TimeFocus | None = None) -> list[Passage]:
        """The best k passages for the query among the chunks the filters admit (k, mode: the settings' when None)."""
        ...

    def outlets(self) -> set[str]:
        """Every outlet ("source") the indexed chunks come from."""
        ...

    def vocabulary(self) -> set[str]:
        """Every lower-case word of the indexed titles, outlets and texts (to tell a question's unknown words)."""
        ...

    def stems(self) -> set[str]:
        """The stems of `vocabulary()`."""
        ...

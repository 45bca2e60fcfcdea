"""One filter rule, three ways of applying it: SearchFilters.accepts (one chunk), the BM25 index (whole columns,
and one chunk at a time for chunks added since its build) and Chroma (store.where_for) admit the same chunks."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from assistant.records import FILTER_RULES, Chunk, SearchFilters
from assistant.retrieval.bm25 import BM25Index
from assistant.store import CHROMA_OPERATORS

DAY = 86_400
T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC; chunks are dated T0, T0 + 1 day, ... (whole seconds, as ingest stores them)
# (article, outlet, day or None for undated): two outlets, one undated chunk each, one outlet with a single report
REPORTS = [("a0", "Harbor Ledger", 0), ("a1", "Coastal Times", 1), ("a2", "Harbor Ledger", 2), ("a3", "Coastal Times", 3),
           ("a4", "Harbor Ledger", None), ("a5", "Coastal Times", None), ("a6", "Valley Wire", 4),
           ("a7", "Harbor Ledger", 5)]


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def day(n: float) -> datetime:
    return at(T0 + n * DAY)


FILTERS = {
    "empty": SearchFilters(),
    "one outlet": SearchFilters(sources=("Harbor Ledger",)),
    "two outlets": SearchFilters(sources=("Harbor Ledger", "Valley Wire")),
    "a known and an unknown outlet": SearchFilters(sources=("Coastal Times", "Nowhere Gazette")),
    "only an unknown outlet": SearchFilters(sources=("Nowhere Gazette",)),
    "since (inclusive, at a report's second)": SearchFilters(since=day(2)),
    "until (exclusive, at a report's second)": SearchFilters(until=day(3)),
    "a window": SearchFilters(since=day(1), until=day(4)),
    "a window between two reports": SearchFilters(since=day(1) + (day(1) - day(0)) / 4, until=day(2)),
    "bounds a fraction of a second after reports": SearchFilters(since=at(T0 + DAY + 0.25), until=at(T0 + 3 * DAY + 0.5)),
    "bounds a fraction of a second before reports": SearchFilters(since=at(T0 + DAY - 0.75), until=at(T0 + 3 * DAY - 0.5)),
    "an empty window": SearchFilters(since=day(9), until=day(10)),
    "outlet and since": SearchFilters(sources=("Coastal Times",), since=day(1)),
    "outlets and a window": SearchFilters(sources=("Harbor Ledger", "Coastal Times"), since=day(0), until=day(5)),
    "outlet and until": SearchFilters(sources=("Valley Wire",), until=day(4)),
}


def chunks() -> list[Chunk]:
    found = []
    for article, outlet, n in REPORTS:
        text = f"The harbour ferry timetable changes again, {outlet} reports (report {article})."
        meta = {"article_id": article, "title": f"Ferry report {article}", "source": outlet, "content_hash": article,
                "chunk_index": 0, "n_chunks": 1, "start": 0, "end": len(text), "language": "en"}
        if n is not None:
            meta["published_at"] = day(n).isoformat()
            meta["published_ts"] = T0 + n * DAY
        found.append(Chunk(f"{article}::0000", article, 0, text, 0, len(text), meta))
    return found


@pytest.fixture()
def backends(store):
    """The same chunks in a real Chroma store and in a BM25 index (half in its base, half added after its build)."""
    every = chunks()
    vectors = np.random.default_rng(7).normal(size=(len(every), store.dimension))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for chunk, vector in zip(every, vectors):
        store.replace_article(chunk.article_id, [chunk], vector[None, :])
    base, added = every[::2], every[1::2]
    index = BM25Index.build([c.id for c in base], [c.text for c in base], [c.metadata for c in base])
    index.apply({c.article_id for c in added}, [(c.id, c.text, c.metadata) for c in added])
    assert index.size == len(every) and index.delta
    return store, index, every, vectors


def test_every_rule_has_a_chroma_operator():
    assert {rule.test for rule in FILTER_RULES} <= CHROMA_OPERATORS.keys()
    assert {rule.field for rule in FILTER_RULES} == set(SearchFilters.__dataclass_fields__)


@pytest.mark.parametrize("name", list(FILTERS))
def test_chroma_and_bm25_admit_the_same_chunks(backends, name):
    from assistant.store import where_for
    store, index, every, vectors = backends
    filters = FILTERS[name]
    expected = sorted(c.id for c in every if filters.accepts(c.metadata))
    listed = sorted(store.all_chunks(include_documents=False, where=where_for(filters))["ids"])
    dense = sorted(p.chunk_id for p in store.dense_search(list(vectors[0]), k=len(every), filters=filters))
    lexical = sorted(cid for cid, _ in index.search("harbour ferry timetable", k=len(every), filters=filters))
    assert listed == dense == lexical == expected, name


def test_the_table_tells_the_filters_apart(backends):
    """The contract would hold for filters that admit everything or nothing: the table's answers differ."""
    _, _, every, _ = backends
    answers = {name: tuple(c.id for c in every if filters.accepts(c.metadata)) for name, filters in FILTERS.items()}
    assert answers["empty"] == tuple(c.id for c in every) and answers["only an unknown outlet"] == ()
    assert answers["since (inclusive, at a report's second)"][0] == "a2::0000"
    assert "a3::0000" not in answers["until (exclusive, at a report's second)"]
    assert answers["bounds a fraction of a second after reports"] == ("a2::0000", "a3::0000")
    assert answers["bounds a fraction of a second before reports"] == ("a1::0000", "a2::0000")
    dated = [name for name, filters in FILTERS.items() if filters.since or filters.until]
    assert len(dated) >= 8 and not any({"a4::0000", "a5::0000"} & set(answers[name]) for name in dated), \
        "an undated chunk is outside every date window"
    assert len(set(answers.values())) >= 10

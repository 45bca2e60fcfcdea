"""One outlet matcher: question analysis and the retriever's outlet boost find the same outlets in a question."""

from __future__ import annotations

from assistant.qa import questions
from assistant.retrieval import outlets
from assistant.retrieval.bm25 import BM25Index

SOURCES = ["TechCrunch", "The Verge", "The Age", "CBSSports.com", "BBC News - Technology", "BBC News - World", "AP"]


def index_of(sources: list[str]) -> BM25Index:
    ids = [f"a{i}::0000" for i in range(len(sources))]
    return BM25Index.build(ids, [f"Report {i} on the harbour ferry." for i in range(len(sources))],
                           [{"article_id": f"a{i}", "source": s, "title": ""} for i, s in enumerate(sources)])


def test_question_analysis_and_the_index_share_one_matcher():
    assert questions.OutletMatcher is outlets.OutletMatcher and questions.OutletMention is outlets.OutletMention
    index = index_of(SOURCES)
    analysed = questions.OutletMatcher(index.outlet_matcher.sources)
    for question in ["What did TechCrunch and The Verge report?", "Is the startup on the verge of collapse?",
                     "Which app, according to BBC News, ...?", "In the age of AI, what did CBSSports report?"]:
        plan = questions.analyse(question, analysed)
        assert plan.named_sources == index.outlet_matcher.named(question), question


def test_names_as_a_question_writes_them():
    matcher = index_of(SOURCES).outlet_matcher
    assert matcher.named("What did TechCrunch and The Verge report?") == {"TechCrunch", "The Verge"}
    assert matcher.named("Did Verge say so?") == {"The Verge"}  # without "The"
    assert matcher.named("as reported by CBSSports") == {"CBSSports.com"}  # without ".com"
    assert matcher.named("according to BBC News") == {"BBC News - Technology", "BBC News - World"}  # without the section
    assert matcher.named("Is the startup on the verge of collapse, in the age of AI?") == set()  # lower case: words
    assert matcher.named("What did AP report?") == set() and "AP" not in matcher.sources  # too short to look for


def test_an_outlet_added_after_the_build_is_found():
    index = index_of(["TechCrunch"])
    assert index.outlet_matcher.named("What did Harbor Ledger report?") == set()
    index.apply(set(), [("b::0000", "The ferry runs again.", {"article_id": "b", "source": "Harbor Ledger", "title": ""})])
    assert index.outlet_matcher.named("What did Harbor Ledger report?") == {"Harbor Ledger"}

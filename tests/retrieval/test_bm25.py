"""BM25 that grows with the corpus: changes are applied without a rebuild, on the same scale as the base."""

from __future__ import annotations

from assistant.retrieval.bm25 import BM25Index
from assistant.records import SearchFilters

DOCS = [f"Report {i}: the council debated the {w} budget and the harbour ferry timetable." for i, w in
        enumerate(["water", "school", "road", "museum", "energy", "housing", "tram", "market"])]


def build(ids, docs):
    return BM25Index.build(ids, docs, [{"article_id": i.split("::")[0], "source": "S", "title": ""} for i in ids])


def test_an_added_chunk_ranks_as_it_would_after_a_rebuild():
    ids = [f"a{i}::0000" for i in range(len(DOCS))]
    full = build(ids, DOCS)
    partial = build(ids[:-1], DOCS[:-1])
    partial.apply({"a7"}, [(ids[-1], DOCS[-1], {"article_id": "a7", "source": "S", "title": ""})])
    for query in ["market budget", "harbour ferry market", "water budget"]:
        expected = [cid for cid, _ in full.search(query, 3)]
        got = [cid for cid, _ in partial.search(query, 3)]
        assert got[0] == expected[0], (query, got, expected)
    full_score = dict(full.search("market", 8))[ids[-1]]
    delta_score = dict(partial.search("market", 8))[ids[-1]]
    assert abs(full_score - delta_score) / full_score < 0.15


def test_removed_and_replaced_chunks_leave_the_results():
    ids = [f"a{i}::0000" for i in range(len(DOCS))]
    index = build(ids, DOCS)
    index.apply({"a3"}, [("a3::0000", "The museum closed its doors for a renovation of the roof.",
                          {"article_id": "a3", "source": "T", "title": ""})])
    hits = dict(index.search("museum budget", 8))
    assert "a3::0000" in hits and index.size == len(DOCS)
    assert index.search("museum", 1, SearchFilters(sources=("S",))) == [] or \
        all(cid != "a3::0000" for cid, _ in index.search("museum", 8, SearchFilters(sources=("S",))))
    index.apply({"a3"}, [])
    assert "a3::0000" not in dict(index.search("museum renovation roof", 8)) and index.size == len(DOCS) - 1


def test_the_vectorised_filter_mask_agrees_with_search_filters_accepts():
    from datetime import datetime, timezone
    import numpy as np
    from assistant.retrieval.bm25 import BM25Index
    from assistant.records import SearchFilters
    metadatas = [{"source": "A", "published_ts": 100}, {"source": "B", "published_ts": 200}, {"source": "A"},
                 {"source": "C", "published_ts": 300.5}, {"published_ts": 250}]
    index = BM25Index([f"c{i}" for i in range(len(metadatas))], metadatas, None)
    at = lambda ts: datetime.fromtimestamp(ts, tz=timezone.utc)
    for filters in [SearchFilters(sources=("A",)), SearchFilters(sources=("A", "C", "Z")), SearchFilters(sources=("Z",)),
                    SearchFilters(since=at(150)), SearchFilters(until=at(250)), SearchFilters(since=at(100), until=at(300.5)),
                    SearchFilters(sources=("B", "C"), since=at(200))]:
        assert list(index.filter_mask(filters)) == [filters.accepts(m) for m in metadatas], filters
    assert np.all(index.filter_mask(SearchFilters()))


FRENCH = ["Le vol de Marseille a connu une annulation mercredi à cause de la grève.",
          "La médiathèque de Nantes rouvre après deux années de travaux.",
          "Les vignes du Bordelais ont été frappées par la grêle."]


def languages_index(docs, language):
    ids = [f"f{i}::0000" for i in range(len(docs))]
    meta = [{"article_id": f"f{i}", "source": "S", "title": "", **({"language": language} if language else {})}
            for i in range(len(docs))]
    return BM25Index.build(ids, docs, meta)


def test_each_language_is_stemmed_with_its_own_stemmer():
    # French stems "annulés" and "annulation" alike; the English stemmer does not.
    question = "Combien de vols ont été annulés à cause de la grève ?"
    assert [cid for cid, _ in languages_index(FRENCH, "fr").search(question, 3)][0] == "f0::0000"
    assert "f0::0000" not in dict(languages_index(FRENCH, None).search("annulés", 3))
    index = languages_index(FRENCH, "fr")
    index.apply(set(), [("g0::0000", "Die Schulen bleiben wegen der Hitze geschlossen.",
                         {"article_id": "g0", "source": "T", "title": "", "language": "de"})])
    assert index.languages == {"fr", "de"}
    assert [cid for cid, _ in index.search("Warum ist die Schule zu?", 2)] == ["g0::0000"]  # Schulen, Schule: schul
    assert index.search("Why is the Schule closed?", 2) == []  # an English question is stemmed in English only


def test_an_english_index_ranks_exactly_as_before_languages():
    from assistant.retrieval.bm25 import tokenize
    plain = build([f"a{i}::0000" for i in range(len(DOCS))], DOCS)
    tagged = languages_index(DOCS, "en")
    for query in ["market budget", "the harbour ferries", "water"]:
        assert plain.search(query, 8) == [(cid.replace("f", "a", 1), s) for cid, s in tagged.search(query, 8)]
    assert tokenize(DOCS, as_strings=True) == tokenize(DOCS, as_strings=True, languages=["en"] * len(DOCS))

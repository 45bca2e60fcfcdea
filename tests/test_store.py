"""The store as the one door to Chroma: what another process writes is seen, writers wait for each other."""

from __future__ import annotations

import pytest

from assistant.services import build_services
from conftest import FIXTURES, run_cli


@pytest.mark.slow
def test_a_long_running_reader_sees_articles_another_process_ingested(settings, embeddings):
    services = build_services(settings, embeddings=embeddings)
    services.ingest([str(FIXTURES / "articles" / "chip-plant.txt")], progress=False)
    before = services.retriever.search("paper lanterns released from the bridge", k=5, mode="dense")
    assert all("Lantern" not in p.title for p in before)
    run_cli("--index", str(settings.index_dir), "ingest", "-q", str(FIXTURES / "articles" / "river-festival.html"), check=True,
            env={"ASSISTANT_TEST_FAST": ""})
    after = services.retriever.search("paper lanterns released from the bridge", k=5, mode="dense")
    assert any("Lantern" in p.title for p in after), [p.title for p in after]


def test_one_new_article_reaches_bm25_without_a_rebuild(settings, embeddings):
    services = build_services(settings, embeddings=embeddings)
    services.ingest([str(FIXTURES / "articles" / "chip-plant.txt"), str(FIXTURES / "articles" / "iran-mixed-message.md")],
                    progress=False)
    retriever = services.retriever
    base = retriever.bm25()
    services.ingest([str(FIXTURES / "articles" / "river-festival.html")], progress=False)
    hits = retriever.search("paper lanterns rice Kestrel", k=3, mode="bm25")
    assert retriever.bm25() is base and base.delta, "applied to the loaded index, not rebuilt"
    assert hits and "Lantern" in hits[0].title
    services.store.delete_article(hits[0].article_id)
    assert all("Lantern" not in p.title for p in retriever.search("paper lanterns rice Kestrel", k=3, mode="bm25"))


def test_without_a_write_log_every_write_changes_the_generation_even_when_two_writers_race(settings, embeddings):
    """On a Chroma server there is no shared lock or log: two workers that read the same counter must still each
    leave a generation a reader has not seen (a counter would make the second write invisible)."""
    services = build_services(settings, embeddings=embeddings)
    services.ingest([str(FIXTURES / "articles" / "chip-plant.txt")], progress=False)
    store = services.store
    store._changelog, store._lock = None, None  # as in server mode
    seen = store.generation()
    metadata = dict(store.collection.metadata or {})
    article = store.list_articles()[0].id
    store._bump_generation(article)
    first = store.generation()
    store.collection.modify(metadata=metadata)  # the second worker read the metadata before the first wrote
    store._bump_generation(article)
    second = store.generation()
    assert len({seen, first, second}) == 3
    assert store.changed_articles(seen) is None  # readers rebuild what they cannot follow

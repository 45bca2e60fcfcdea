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


# --- the vector family: torch and the fp32 ONNX export write one family, the int8 export another --------------

def embedder(family: str):
    """A stand-in with the packaged model's name and size, writing vectors of the given family."""
    from fakes import FakeEmbeddings
    return FakeEmbeddings("all-MiniLM-L6-v2", 384, family)


@pytest.mark.parametrize("built_with, opened_with, fix", [("fp32", "int8", "--set embedding_backend=onnx,"),
                                                          ("int8", "fp32", "--set embedding_backend=onnx-int8,")])
def test_a_store_refuses_an_embedder_of_the_other_family_in_one_line(settings, built_with, opened_with, fix):
    from assistant.chroma_client import EmbeddingMismatchError
    build_services(settings, embeddings=embedder(built_with)).ingest([str(FIXTURES / "articles" / "chip-plant.txt")],
                                                                     progress=False)
    with pytest.raises(EmbeddingMismatchError) as info:
        build_services(settings, embeddings=embedder(opened_with)).store
    line = str(info.value)
    assert "\n" not in line and fix in line and "another --index" in line and built_with in line, line
    assert build_services(settings, embeddings=embedder(built_with)).store.count() > 0  # its own family opens it


def test_a_store_from_before_the_family_key_counts_as_fp32(settings):
    from assistant.chroma_client import EmbeddingMismatchError, make_client
    make_client(settings.index_dir, None).get_or_create_collection(
        settings.collection, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None,
        metadata={"embedding_model": "all-MiniLM-L6-v2", "embedding_dim": 384})  # as stores were written before
    assert build_services(settings, embeddings=embedder("fp32")).store.count() == 0
    with pytest.raises(EmbeddingMismatchError, match="embedding_backend=onnx,"):
        build_services(settings, embeddings=embedder("int8")).store


def test_the_cli_names_the_backend_to_set_and_still_lists_the_store(tmp_path):
    from typer.testing import CliRunner
    from assistant.cli.__main__ import app
    runner, index = CliRunner(), str(tmp_path / "index")
    built = runner.invoke(app, ["--index", index, "ingest", "-q", str(FIXTURES / "articles" / "chip-plant.txt")],
                          obj={"embeddings": embedder("int8")})
    assert built.exit_code == 0, built.output
    refused = runner.invoke(app, ["--index", index, "search", "chip plant"], obj={"embeddings": embedder("fp32")})
    lines = [line for line in refused.stderr.splitlines() if line.strip()]
    assert refused.exit_code == 2 and len(lines) == 1 and "--set embedding_backend=onnx-int8" in lines[0], refused.output
    listed = runner.invoke(app, ["--index", index, "stats"], obj={"embeddings": embedder("fp32")})
    assert listed.exit_code == 0 and listed.stdout.startswith("1 article"), listed.output  # opened as it was built


# --- embedding_backend = "auto": a store keeps its family (an int8 store needs no --set on every command) --------

@pytest.mark.parametrize("built_with, backend", [("fp32", "onnx"), ("int8", "onnx-int8")])
def test_auto_runs_the_backend_that_wrote_the_store(settings, built_with, backend):
    build_services(settings, embeddings=embedder(built_with)).ingest([str(FIXTURES / "articles" / "chip-plant.txt")],
                                                                     progress=False)
    assert build_services(settings.model_copy(update={"embedding_backend": "auto"})).embedding_backend() == backend


def test_auto_builds_a_new_store_with_the_fp32_export_and_makes_no_folder_to_find_out(settings, tmp_path):
    fresh = settings.model_copy(update={"embedding_backend": "auto", "index_dir": tmp_path / "none-yet"})
    assert build_services(fresh).embedding_backend() == "onnx"
    assert not (tmp_path / "none-yet").exists()


def test_auto_reads_a_store_from_before_the_family_key_as_fp32_and_a_named_backend_wins(settings):
    from assistant.chroma_client import make_client
    make_client(settings.index_dir, None).get_or_create_collection(
        settings.collection, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None,
        metadata={"embedding_model": "all-MiniLM-L6-v2", "embedding_dim": 384})
    assert build_services(settings.model_copy(update={"embedding_backend": "auto"})).embedding_backend() == "onnx"
    assert build_services(settings.model_copy(update={"embedding_backend": "torch"})).embedding_backend() == "torch"

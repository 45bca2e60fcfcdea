"""Build the long-lived parts once (embedder, store, retriever, chat model, chains) for the CLI, the page,
the benchmarks, the evals and the tests. Each part is made on first use, so `stats` never loads the chat model.
"""

from __future__ import annotations

import functools
import threading

from assistant.settings import DEFAULT_EMBEDDING_FAMILY, NEW_STORE_BACKEND, Settings, backend_for_family


def built_once(method):
    """A property computed on first use, once even when several page sessions ask at the same moment."""
    name = "_built_" + method.__name__

    @property
    @functools.wraps(method)
    def getter(self):
        with self._lock:
            if name not in self.__dict__:
                self.__dict__[name] = method(self)
            return self.__dict__[name]
    return getter


class Services:
    """The parts one process needs, built from one immutable Settings."""

    def __init__(self, settings: Settings, chat_model=None, embeddings=None):
        self.settings = settings
        self._given_chat_model = chat_model
        self._given_embeddings = embeddings
        self._lock = threading.RLock()

    @built_once
    def embeddings(self):
        if self._given_embeddings is not None:
            return self._given_embeddings
        from assistant.models.embeddings import get_embeddings
        return get_embeddings(self.settings.embedding_model, self.settings.embedding_batch_size,
                              self.embedding_backend(), self.settings.cache_dir)

    def embedding_backend(self) -> str:
        """The backend the settings name; for "auto", the one that wrote the store's vectors, or NEW_STORE_BACKEND
        for a store not made yet."""
        if self.settings.embedding_backend != "auto":
            return self.settings.embedding_backend
        if not self.settings.chroma_url and not (self.settings.index_dir / "chroma.sqlite3").is_file():
            return NEW_STORE_BACKEND  # no folder made just to look
        from assistant.chroma_client import stored_embedding
        stored = stored_embedding(self.client, self.settings.collection, self.settings.index_dir)
        return (backend_for_family(stored[2]) if stored else None) or NEW_STORE_BACKEND

    @built_once
    def client(self):
        from assistant.chroma_client import make_client
        return make_client(self.settings.index_dir, self.settings.chroma_url)

    @built_once
    def store(self):
        from assistant.chroma_client import reopen_client
        from assistant.store import ChunkStore
        on_disk = not self.settings.chroma_url
        return ChunkStore(self.client, self.settings.collection, self.embeddings.name, self.embeddings.dimension,
                          lock_path=self.settings.index_dir / ".write.lock" if on_disk else None,
                          lock_wait_s=self.settings.write_wait_s,
                          reopen=(lambda: reopen_client(self.settings.index_dir)) if on_disk else None,
                          changelog=self.settings.index_dir / ".changes.sqlite3" if on_disk else None,
                          family=getattr(self.embeddings, "family", DEFAULT_EMBEDDING_FAMILY))

    @built_once
    def retriever(self):
        from assistant.retrieval.hybrid import HybridRetriever
        return HybridRetriever(self.store, self.embeddings, self.settings)

    @built_once
    def chat_model(self):
        if self._given_chat_model is not None:
            return self._given_chat_model
        from assistant.models.chat import get_chat_model
        return get_chat_model(self.settings)

    @built_once
    def answer_chain(self):
        from assistant.qa.answer import AnswerChain
        from assistant.qa.decompose import ClaimsRoute
        route = ClaimsRoute(self.settings, self.retriever, self.chat_model, self.embeddings.encode)
        return AnswerChain(self.settings, self.retriever, self.chat_model, self.embeddings, claims_route=route)

    @built_once
    def article_summarizer(self):
        from assistant.summaries.article import ArticleSummarizer
        return ArticleSummarizer(self.settings, self.chat_model, self.embeddings.encode)

    @built_once
    def topic_summarizer(self):
        from assistant.summaries.topic import TopicSummarizer
        return TopicSummarizer(self.settings, self.retriever, self.chat_model, self.embeddings.encode)

    def stored_article(self, reference: str, progress: bool = False):
        """A stored article by id, or a file/URL ingested first; None when nothing matches."""
        found = self.store.articles(article_ids=[reference])
        if found:
            return found[0]
        report = self.ingest([reference], progress=progress)
        if report.errors and not report.outcomes:
            raise ValueError(report.errors[0])
        ids = [o.article_id for o in report.outcomes]
        found = self.store.articles(article_ids=ids[:1]) if ids else []
        return found[0] if found else None

    def summary_for(self, kind: str, what: str, filters=None, allow_ingest: bool = False):
        """An article summary ("summarize the article about X": the best-matching stored article) or a topic
        summary. The page never ingests from here: only the CLI may name a file or URL."""
        if kind == "article":
            stored = None
            if allow_ingest:
                stored = self.stored_article(what)
            else:
                found = self.store.articles(article_ids=[what])
                stored = found[0] if found else None
            if stored is None:
                hits = self.retriever.search(what, k=1, filters=filters)
                found = self.store.articles(article_ids=[hits[0].article_id]) if hits else []
                stored = found[0] if found else None
            if stored is None:
                raise ValueError(f"no article matches {what!r}")
            return self.article_summarizer.summarize(stored, "short")
        return self.topic_summarizer.summarize(what, filters)

    def ingest(self, inputs, progress: bool = True, on_error=None, typed_by_user: bool = True):
        """The ingest step of the CLI and the page (`typed_by_user` False for the page: see ingest/pipeline.ingest)."""
        from assistant.ingest.pipeline import ingest
        return ingest(inputs, self.store, self.embeddings, self.settings, progress=progress, on_error=on_error,
                      typed_by_user=typed_by_user)

    def story_views(self, day, progress: bool = False):
        """The day's stories as the story memory sees them, once the day's new reports are linked in (the page's
        Stories tab and `assistant stories`)."""
        from assistant.stories.update import catch_up, open_memory
        from assistant.stories.view import StoryReader
        memory = open_memory(self.settings, self.embeddings.name)
        catch_up(self.settings, self.store, self.embeddings.encode, memory, day, progress=progress)
        return StoryReader(self.settings, memory).views_on(day)

    @built_once
    def follow_db(self):
        from assistant.follow.database import open_database
        return open_database(self.settings)

    def update_feeds(self, progress: bool = False):
        """Fetch every subscribed feed once into the store (the daily job and the schedule's update)."""
        from assistant.follow.update import update_feeds
        return update_feeds(self, self.follow_db, progress=progress)

    def briefing(self, day=None, window=None, sources=(), progress: bool = True, topics_since=None):
        """Write (and, for a whole day of all outlets, archive) the briefing, with the watchlist's topics."""
        from assistant.briefing.publish import store_briefing
        from assistant.briefing.service import make_briefing
        from assistant.follow.watchlist import add_topics
        result, _ = make_briefing(self.settings, self.store, self.embeddings, day, window, sources, progress=progress,
                                  chat_model=self.chat_model, archive=False)
        topics = self.follow_db.topics()
        if topics:
            from datetime import datetime
            since = topics_since or datetime.fromisoformat(result.window[0])
            add_topics(result, topics, self.retriever, self.embeddings.encode, since, datetime.fromisoformat(result.window[1]))
        stored = store_briefing(self.settings, result) if (day or window is None) and not sources else None
        return result, stored


def build_services(settings: Settings, **given) -> Services:
    """The one way to assemble the product from settings (tests may pass a fake chat model or embedder)."""
    return Services(settings, **given)

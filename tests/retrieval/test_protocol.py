"""The Retriever protocol: what the answer, summary and follow rooms may ask of a retriever."""

from __future__ import annotations

import inspect

from assistant.retrieval.hybrid import HybridRetriever
from assistant.retrieval.protocol import Retriever


class FourMethods:
    """A fake as the answer tests write one."""

    def search(self, query, k=None, filters=None, mode=None, focus=None):
        return []

    def outlets(self):
        return set()

    def vocabulary(self):
        return set()

    def stems(self):
        return set()


class NoVocabulary:
    def search(self, query, k=None, filters=None, mode=None, focus=None):
        return []

    def outlets(self):
        return set()


def test_the_product_retriever_and_a_fake_satisfy_the_protocol(settings, embeddings):
    from assistant.services import build_services
    assert isinstance(build_services(settings, embeddings=embeddings).retriever, Retriever)
    assert isinstance(FourMethods(), Retriever)
    assert not isinstance(NoVocabulary(), Retriever)


def test_search_takes_the_protocols_parameters():
    wanted = inspect.signature(Retriever.search).parameters
    given = inspect.signature(HybridRetriever.search).parameters
    assert list(given) == list(wanted)
    assert all(given[name].default == wanted[name].default for name in wanted)

"""Watchlists: the topics, people and companies a person follows, matched with the product's own retrieval.

For each topic, the passages of the window's articles that the hybrid retriever ranks for it and
that are close to it in meaning (or contain all its words) become cited items of the briefing's
"Your topics" section; substring search alone would miss "Veridian's factory" for "chip plant".
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from assistant.language import content_words
from assistant.records import SearchFilters
from assistant.retrieval.protocol import Retriever
from assistant.sentences import split_sentences
from assistant.markers import cite

MATCH_AT = 0.45  # cosine between the topic and the passage's best sentence (MiniLM); see docs/follow.md


def topic_items(topic: str, retriever: Retriever, encode, since: datetime, until: datetime, sources: list[dict],
                most: int = 5) -> list[dict]:
    """Cited items on the topic among articles published in [since, until); adds new sources to `sources`."""
    passages = retriever.search(topic, k=12, filters=SearchFilters(since=since, until=until))
    items, seen_articles = [], set()
    wanted = content_words(topic)
    for passage in passages:
        if passage.article_id in seen_articles:
            continue
        sentences = [s for s in split_sentences(passage.text) if len(s) > 25] or [passage.text]
        vectors = encode([topic] + sentences)
        similarity = vectors[1:] @ vectors[0]
        best = int(np.argmax(similarity))
        if float(similarity[best]) < MATCH_AT and not wanted <= content_words(passage.title + " " + passage.text):
            continue
        seen_articles.add(passage.article_id)
        n = next((s["n"] for s in sources if s["article_id"] == passage.article_id), None)
        if n is None:
            n = len(sources) + 1
            sources.append({"n": n, "article_id": passage.article_id, "title": passage.title, "source": passage.source,
                            "url": passage.url, "published_at": passage.published_at, "reprint_of": None})
        items.append({"text": f"{passage.source}: " + cite(sentences[best].strip(), n), "markers": [n],
                      "article_id": passage.article_id})
        if len(items) >= most:
            break
    return items


def add_topics(briefing, topics: list[str], retriever: Retriever, encode, since: datetime, until: datetime) -> None:
    """Fill the briefing's "Your topics" section (every topic listed, "nothing new" when nothing matched)."""
    briefing.topics = [{"topic": topic, "items": topic_items(topic, retriever, encode, since, until, briefing.sources)}
                       for topic in topics]

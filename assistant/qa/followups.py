"""Suggested follow-up questions that the articles can answer, and recognising "summarize ..." requests.

Suggestions are built from what the cited passages say, not from the model: a name the answer's
passages mention but the question did not, asked about in the outlet that mentions it, so the
follow-up's own search finds that passage again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.language import names
from assistant.records import Passage

SUMMARY_REQUEST = re.compile(
    r"^\s*(?:please\s+)?(?:summari[sz]e|give me a summary of|sum up|recap|what happened (?:with|to|in)|"
    r"how did (?:the story (?:of|about) )?)(?P<rest>.+?)(?:\s+develop|\s+this week|\s+so far)?\s*[?.!]*\s*$", re.I)
ARTICLE_WORDS = re.compile(r"^(?:the|this|that)\s+(?:article|story|report|piece)\b\s*(?:about|on|titled|called)?\s*", re.I)


def summary_request(message: str) -> tuple[str, str] | None:
    """("article", what identifies it) or ("topic", the topic) when the message asks for a summary, else None."""
    match = SUMMARY_REQUEST.match(message)
    if not match:
        return None
    rest = match.group("rest").strip(" \"'“”")
    if ARTICLE_WORDS.match(rest):
        return "article", ARTICLE_WORDS.sub("", rest).strip(" \"'“”")
    if re.match(r"^(?:https?://|[\w-]+\.(?:md|txt|html|json)$|a-[0-9a-f]{16}$)", rest):
        return "article", rest
    return "topic", rest


def suggest(question: str, passages: Sequence[Passage], most: int = 3) -> list[str]:
    """Up to `most` follow-up questions about names in the passages that the question did not ask about."""
    asked = question.lower()
    suggestions: list[str] = []
    seen: set[str] = set()
    for passage in passages:
        for name in names(passage.text):
            key = name.lower()
            if key in asked or key in seen or key in passage.source.lower() or len(name) < 4:
                continue
            seen.add(key)
            suggestions.append(f"What does {passage.source} report about {name}?")
            break
        if len(suggestions) >= most:
            break
    return suggestions

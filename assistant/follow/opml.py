"""OPML: how feed readers move subscriptions between them.

Read under the same XML rules as feeds (assistant/ingest/sources/xmlsafe.py), with no DOCTYPE at
all: the checks run on the decoded text of the whole document, so neither UTF-16 nor a long
comment hides one. Which outlines may be subscribed is the subscription's own rule (http/https).
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from assistant.follow.database import FeedError, clean_name
from assistant.ingest.sources.common import LoadError, read_capped
from assistant.ingest.sources.xmlsafe import check_xml

MAX_OPML_BYTES = 5_000_000


def read_opml_file(path: Path) -> list[tuple[str, str]]:
    """(url, name) of every feed outline of an OPML file, or a one-line FeedError."""
    try:
        data = read_capped(path, MAX_OPML_BYTES, what="for an OPML file")
    except LoadError as exc:
        raise FeedError(str(exc)) from None
    return read_opml(data, str(path))


def read_opml(data: bytes, origin: str) -> list[tuple[str, str]]:
    """(url, name) of every feed outline, nested folders included."""
    try:
        text = check_xml(data, origin, "OPML", MAX_OPML_BYTES, allow_bare_doctype=False)
    except LoadError as exc:
        raise FeedError(str(exc)) from None
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        raise FeedError(f"{origin}: not valid XML ({exc})") from None
    if root.tag.lower() != "opml":
        raise FeedError(f"{origin}: not an OPML file (the root element is <{clean_name(root.tag)[:40]}>)")
    found = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url:
            found.append((url, clean_name(outline.get("title") or outline.get("text") or "")))
    if not found:
        raise FeedError(f"{origin}: no feed outlines (outline elements with an xmlUrl)")
    return found


def write_opml(subscriptions: list[tuple[str, str]], title: str = "news-assistant subscriptions") -> str:
    """(url, name) pairs as OPML 2.0; names are cleaned again (a file from an older version may hold anything)."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    body = ElementTree.SubElement(root, "body")
    for url, name in subscriptions:
        url, label = clean_name(url), clean_name(name) or clean_name(url)
        ElementTree.SubElement(body, "outline", type="rss", text=label, title=label, xmlUrl=url)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"

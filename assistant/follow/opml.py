"""OPML: how feed readers move subscriptions between them."""

from __future__ import annotations

from xml.etree import ElementTree

from assistant.follow.database import Feed, FeedError

MAX_OPML_BYTES = 5_000_000


def read_opml(data: bytes, origin: str) -> list[tuple[str, str]]:
    """(url, name) of every feed outline, nested folders included."""
    if len(data) > MAX_OPML_BYTES:
        raise FeedError(f"{origin}: over {MAX_OPML_BYTES:,} bytes; is this an OPML file?")
    if b"<!ENTITY" in data[:4096] or b"<!DOCTYPE" in data[:4096]:
        raise FeedError(f"{origin}: OPML with a DOCTYPE or entities is not accepted")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise FeedError(f"{origin}: not valid XML ({exc})") from None
    if root.tag.lower() != "opml":
        raise FeedError(f"{origin}: not an OPML file (the root element is <{root.tag}>)")
    found = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url:
            found.append((url, (outline.get("title") or outline.get("text") or "").strip()))
    if not found:
        raise FeedError(f"{origin}: no feed outlines (outline elements with an xmlUrl)")
    return found


def write_opml(feeds: list[Feed], title: str = "news-assistant subscriptions") -> str:
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    body = ElementTree.SubElement(root, "body")
    for feed in feeds:
        ElementTree.SubElement(body, "outline", type="rss", text=feed.name or feed.url, title=feed.name or feed.url,
                               xmlUrl=feed.url)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"

"""Briefing as Markdown and as one self-contained HTML page (citations link to the source list)."""

from __future__ import annotations

import re

from assistant.briefing.model import Briefing
from assistant.rendering import render, safe_url


def markdown_text(text: str) -> str:
    """Article text made inert in Markdown: no raw HTML, no link syntax of its own."""
    return re.sub(r"([<>\[\]])", r"\\\1", text)


def source_entry(src: dict) -> str:
    title = markdown_text(src["title"])
    link = f"[{title}]({safe_url(src.get('url'))})" if safe_url(src.get("url")) else title
    when = (src.get("published_at") or "")[:16].replace("T", " ")
    reprint = f" (reprint of [{src['reprint_of']}])" if src.get("reprint_of") else ""
    return f"[{src['n']}] {link} — {markdown_text(src['source'])}, {when}{reprint}"


def to_markdown(briefing: Briefing, show_window: bool = False) -> str:
    lines = [f"# Briefing for {briefing.day}", ""]
    if show_window:
        lines += [f"_Day cut in {briefing.timezone}: {briefing.window[0]} to {briefing.window[1]}._", ""]
    if briefing.overview:
        lines += [briefing.overview + ("" if briefing.overview_supported else " _(overview not fully verified)_"), ""]
    by_n = {s["n"]: s for s in briefing.sources}
    for story in briefing.stories:
        mark = "NEW" if story.status == "new" else "CONTINUING"
        lines += [f"## {story.headline} · {mark}", ""]
        for point in story.points:
            lines.append(f"- {point.text}" + ("" if point.supported else " _(not verified)_"))
        lines += ["", f"{story.articles} articles from {story.outlets} outlets", ""]
        lines += [source_entry(by_n[n]) for n in story.sources]
        lines.append("")
    if not briefing.stories:
        lines.append("No articles in this window.")
    if briefing.topics:
        lines += ["", "## Your topics", ""]
        for topic in briefing.topics:
            lines.append(f"### {markdown_text(topic['topic'])}")
            lines += [f"- {item['text']}" for item in topic["items"]] or ["- Nothing new."]
            lines.append("")
        extra = sorted({n for t in briefing.topics for item in t["items"] for n in item["markers"]} - set(by_n_story(briefing)))
        lines += [source_entry(by_n[n]) for n in extra if n in by_n]
    return "\n".join(lines).rstrip() + "\n"


def by_n_story(briefing: Briefing) -> list[int]:
    return [n for story in briefing.stories for n in story.sources]


def to_html(briefing: Briefing, show_window: bool = False) -> str:
    return render("briefing.html", b=briefing, sources=sorted(briefing.sources, key=lambda s: s["n"]),
                  show_window=show_window)

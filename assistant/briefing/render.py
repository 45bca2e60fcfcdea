"""Briefing as Markdown and as one self-contained HTML page (citations link to the source list)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from assistant.briefing.model import Briefing, StoryBrief
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


def since_label(day: str, since_day: str) -> str:
    """"Since yesterday" when the story's previous day is the day before, else "Since <that day>"."""
    try:
        yesterday = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    except ValueError:
        yesterday = ""
    return "Since yesterday" if since_day == yesterday else f"Since {since_day}"


def since_text(briefing: Briefing, story: StoryBrief) -> str:
    """The story's ledger changes as one sentence; their own [n] markers stay, the rest of the text is inert."""
    parts = [re.sub(r"\\\[(\d+)\\\]", r"[\1]", markdown_text(line)) for line in story.since]
    return f"{since_label(briefing.day, story.since_day)}: " + "; ".join(parts) + "."


def coverage_text(story: StoryBrief, markdown: bool = True) -> str:
    """Who covered the story: outlets, the first to report, the followed outlets that did not."""
    cover = story.coverage
    if not cover:
        return ""
    first = cover.get("first") or {}
    when = (first.get("published_at") or "")[:16].replace("T", " ")
    text = f"Covered by {', '.join(cover['covered'])}; first: {first.get('source', '?')} ({when})"
    if cover.get("only_by") and len(cover["covered"]) > 1:
        text += f"; reported only by {cover['only_by']}, the others reprinted it"
    elif cover.get("only_by"):
        text += f"; covered only by {cover['only_by']}"
    if cover.get("basis") == "feeds" and cover.get("missing"):
        text += f"; not by {', '.join(cover['missing'])}"
    days = f" Reported on {story.days} days since {story.first_day}." if story.days > 1 else ""
    return (markdown_text(text) if markdown else text) + "." + days


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
        if story.since:
            lines.append(f"- {since_text(briefing, story)}")
        lines += ["", f"{story.articles} articles from {story.outlets} outlets", ""]
        if story.coverage:
            lines += [coverage_text(story), ""]
        lines += [source_entry(by_n[n]) for n in story.sources + story.extra_sources if n in by_n]
        lines.append("")
    if not briefing.stories:
        lines.append("No articles in this window.")
    if briefing.blindspots:
        lines += ["", "## Blindspots", ""]
        lines += [f"- {markdown_text(b['headline'])}: {markdown_text(b['text'])}." for b in briefing.blindspots]
    if briefing.feed_problems:
        lines += ["", "## Feeds with problems", ""]
        lines += [f"- {markdown_text(p['title'])} ({markdown_text(p['url'])}): {markdown_text(p['reason'])}, since {p['since']}."
                  for p in briefing.feed_problems]
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
    return [n for story in briefing.stories for n in story.sources + story.extra_sources]


def to_html(briefing: Briefing, show_window: bool = False) -> str:
    return render("briefing.html", b=briefing, sources=sorted(briefing.sources, key=lambda s: s["n"]),
                  show_window=show_window, since_label=lambda s: since_label(briefing.day, s.since_day),
                  coverage_text=lambda s: coverage_text(s, markdown=False))

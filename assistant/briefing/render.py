"""Briefing as Markdown and as one self-contained HTML page (citations link to the source list)."""

from __future__ import annotations

import html
import re

from assistant.briefing.writer import Briefing

MARKER = re.compile(r"\[(\d+)\]")


def source_line(source: dict) -> str:
    when = (source.get("published_at") or "")[:16].replace("T", " ")
    reprint = f" (reprint of [{source['reprint_of']}])" if source.get("reprint_of") else ""
    return f"{source['title']} — {source['source']}, {when}{reprint}"


def to_markdown(briefing: Briefing) -> str:
    lines = [f"# Briefing for {briefing.day}", "",
             f"_Day cut in {briefing.timezone}: {briefing.window[0]} to {briefing.window[1]}._", ""]
    if briefing.overview:
        lines += [briefing.overview + ("" if briefing.overview_supported else " _(overview not fully verified)_"), ""]
    by_n = {s["n"]: s for s in briefing.sources}
    for story in briefing.stories:
        mark = "NEW" if story.status == "new" else "CONTINUING"
        lines += [f"## {story.headline} · {mark}", ""]
        for point in story.points:
            lines.append(f"- {point.text}" + ("" if point.supported else " _(not verified)_"))
        lines += ["", f"{story.articles} articles from {story.outlets} outlets", ""]
        for n in story.sources:
            src = by_n[n]
            link = f"[{src['title']}]({src['url']})" if src.get("url") else src["title"]
            lines.append(f"[{n}] {link} — {src['source']}, {(src.get('published_at') or '')[:16].replace('T', ' ')}"
                         + (f" (reprint of [{src['reprint_of']}])" if src.get("reprint_of") else ""))
        lines.append("")
    if not briefing.stories:
        lines.append("No articles in this window.")
    return "\n".join(lines).rstrip() + "\n"


def linked(text: str) -> str:
    return MARKER.sub(lambda m: f"<a class='cite' href='#src-{m.group(1)}'>[{m.group(1)}]</a>", html.escape(text))


STYLE = """
body { font: 17px/1.55 Georgia, 'Times New Roman', serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1d; }
h1 { font-size: 1.9rem; margin-bottom: .2rem; } h2 { font-size: 1.3rem; margin-top: 2rem; }
.meta, .count { color: #666; font-size: .9rem; } .tag { font: 600 .7rem sans-serif; padding: 2px 6px; border-radius: 3px; vertical-align: middle; }
.tag.new { background: #e3f2e1; color: #25632a; } .tag.continuing { background: #e6eefb; color: #1f4f99; }
a.cite { text-decoration: none; font-size: .8em; vertical-align: super; } .unverified { color: #9a4a00; font-size: .85em; }
ol.sources { font-size: .92rem; } ol.sources li:target { background: #fff3c4; }
"""


def to_html(briefing: Briefing) -> str:
    by_n = {s["n"]: s for s in briefing.sources}
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Briefing {html.escape(briefing.day)}</title>",
             f"<style>{STYLE}</style></head><body>", f"<h1>Briefing for {html.escape(briefing.day)}</h1>",
             f"<p class='meta'>Day cut in {html.escape(briefing.timezone)}: {html.escape(briefing.window[0])} to "
             f"{html.escape(briefing.window[1])}.</p>"]
    if briefing.overview:
        parts.append(f"<p class='overview'>{linked(briefing.overview)}</p>")
    for story in briefing.stories:
        parts.append(f"<h2>{html.escape(story.headline)} <span class='tag {story.status}'>{story.status.upper()}</span></h2><ul>")
        for point in story.points:
            flag = "" if point.supported else " <span class='unverified'>(not verified)</span>"
            parts.append(f"<li>{linked(point.text)}{flag}</li>")
        parts.append(f"</ul><p class='count'>{story.articles} articles from {story.outlets} outlets: "
                     + ", ".join(f"<a href='#src-{n}'>[{n}]</a>" for n in story.sources) + "</p>")
    if not briefing.stories:
        parts.append("<p>No articles in this window.</p>")
    parts.append("<h2>Sources</h2><ol class='sources'>")
    for n in sorted(by_n):
        src = by_n[n]
        title = html.escape(src["title"])
        link = f"<a href='{html.escape(src['url'])}'>{title}</a>" if src.get("url") else title
        reprint = f" (reprint of <a href='#src-{src['reprint_of']}'>[{src['reprint_of']}]</a>)" if src.get("reprint_of") else ""
        parts.append(f"<li id='src-{n}' value='{n}'>{link} — {html.escape(src['source'])}, "
                     f"{html.escape((src.get('published_at') or '')[:16].replace('T', ' '))}{reprint}</li>")
    parts.append("</ol></body></html>")
    return "\n".join(parts)

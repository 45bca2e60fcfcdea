"""HTML for the page: answers with clickable citation markers, and the sources panel with highlights."""

from __future__ import annotations

import html
import re

from assistant.answer import AnswerResult

MARKER = re.compile(r"\[(\d+)\]")


def link_markers(answer: str, valid: set[int]) -> str:
    """Turn [n] into a link to source n (only markers that resolve to a passage)."""
    return MARKER.sub(lambda m: f"[[{m.group(1)}]](#src-{m.group(1)})" if int(m.group(1)) in valid else "", answer)


def sources_html(result: AnswerResult) -> str:
    if result.refused or not result.checked or not result.checked.citations:
        return "<div class='sources-empty'>No sources cited.</div>"
    blocks = []
    for citation in result.checked.citations:
        p = citation.passage
        lo = max(citation.highlight_start - p.start, 0)
        hi = min(citation.highlight_end - p.start, len(p.text))
        text = (html.escape(p.text[:lo]) + "<mark>" + html.escape(p.text[lo:hi]) + "</mark>" + html.escape(p.text[hi:]))
        link = f"<a href='{html.escape(p.url)}' target='_blank' rel='noopener'>open article</a>" if p.url else ""
        blocks.append(
            f"<div class='source' id='src-{citation.n}' data-n='{citation.n}'>"
            f"<div class='source-head'><b>[{citation.n}] {html.escape(p.title)}</b></div>"
            f"<div class='source-meta'>{html.escape(p.source)} · {html.escape((p.published_at or 'undated')[:10])} "
            f"· chars {citation.highlight_start}–{citation.highlight_end} {link}</div>"
            f"<div class='source-text'>{text}</div></div>")
    unsupported = "".join(f"<li>{html.escape(s)}</li>" for s in result.unsupported)
    if unsupported:
        blocks.append(f"<div class='unsupported'>Not backed by the cited passages:<ul>{unsupported}</ul></div>")
    return "\n".join(blocks)


PAGE_CSS = """
.source { border-left: 3px solid #ccc; padding: 6px 10px; margin: 8px 0; }
.source.active { border-left-color: #e08a00; background: #fff8ea; }
.source-meta { color: #666; font-size: 0.85em; margin: 2px 0 4px; }
.source-text mark { background: #ffe08a; }
.unsupported { color: #9a4a00; font-size: 0.9em; }
"""

# Clicking [n] in an answer shows source n in the panel instead of leaving the page.
PAGE_HEAD = """
<script>
document.addEventListener('click', function (event) {
  const link = event.target.closest('a[href^="#src-"]');
  if (!link) return;
  event.preventDefault();
  const target = document.getElementById(link.getAttribute('href').slice(1));
  if (!target) return;
  document.querySelectorAll('.source.active').forEach(function (el) { el.classList.remove('active'); });
  target.classList.add('active');
  target.scrollIntoView({behavior: 'smooth', block: 'center'});
}, true);
</script>
"""

"""HTML for the page: answers with clickable citation markers, and the sources panel with highlights."""

from __future__ import annotations

from typing import Any, Protocol

from assistant.markers import MARKER, expand_marker
from assistant.grounding.citations import STATE_LABELS
from assistant.rendering import render


class AnswerView(Protocol):
    """What the panels read of an answer (qa/result.py's AnswerResult); named here so that the page's HTML
    does not stand on the answer chain."""

    refused: bool
    checked: Any  # the citation check: its .citations and .sentences, or None


def link_markers(answer: str, valid: set[int]) -> str:
    """Turn each [n] into a Markdown link to source n (markers that resolve to no passage are dropped)."""
    def link(match) -> str:
        return "".join(f"[[{n}]](#src-{n})" for n in expand_marker(match.group(1)) if n in valid)
    return MARKER.sub(link, answer)


def sources_html(result: AnswerView) -> str:
    citations = []
    if not result.refused and result.checked:
        for citation in result.checked.citations:
            p = citation.passage
            lo = max(citation.highlight_start - p.start, 0)
            hi = min(citation.highlight_end - p.start, len(p.text))
            citations.append({"n": citation.n, "title": p.title, "source": p.source, "url": p.url,
                              "date": (p.published_at or "undated")[:10], "highlight_start": citation.highlight_start,
                              "highlight_end": citation.highlight_end, "before": p.text[:lo], "marked": p.text[lo:hi],
                              "after": p.text[hi:]})
    return render("sources.html", citations=citations, flagged=flagged_sentences(result))


def flagged_sentences(result: AnswerView) -> list[dict]:
    """Sentences the check did not find fully supported, each with its state and the reason."""
    if result.refused or not result.checked:
        return []
    return [{"state": check.state if check.state in STATE_LABELS else "unsupported",
             "label": STATE_LABELS.get(check.state, "not supported"), "text": check.text, "reason": check.reason}
            for check in result.checked.sentences if check.state != "supported" or not check.supported]


def passages_html(passages) -> str:
    """The sources panel for a summary: each numbered passage with its article's title, outlet, date and link."""
    citations = [{"n": n, "title": p.title, "source": p.source, "url": p.url, "date": (p.published_at or "undated")[:10],
                  "highlight_start": p.start, "highlight_end": p.end, "before": "", "marked": p.text, "after": ""}
                 for n, p in enumerate(passages, 1)]
    return render("sources.html", citations=citations, flagged=[])


def summary_markdown(summary) -> str:
    """An article or topic summary for the chat, with clickable [n] markers."""
    valid = set(range(1, len(getattr(summary, "passages", None) or getattr(summary, "sources", [])) + 1))
    if hasattr(summary, "article"):
        head = f"**Summary of “{summary.article.title}”** ({summary.article.source})"
        return link_markers(head + "\n\n" + summary.text().replace("\n- ", "\n\n- "), valid)
    return link_markers(summary.to_markdown().split("\n## Sources")[0].replace("# ", "### ", 1), valid)


# Colours come from the Gradio theme's variables, so the page reads as well in dark mode as in light mode (its
# "subdued" text colour is too faint on white: the label colour is used for secondary text instead).
PAGE_CSS = """
.source { border-left: 3px solid var(--border-color-primary); padding: 6px 10px; margin: 8px 0; }
.source.active { border-left-color: var(--color-accent); background: var(--color-accent-soft); }
.source-meta { color: var(--block-label-text-color); font-size: 0.85em; margin: 2px 0 4px; }
.source-text mark { background: var(--color-accent-soft); color: var(--body-text-color);
                    outline: 1px solid var(--color-accent); border-radius: 2px; }
.sources-empty { color: var(--block-label-text-color); }
.check-flags { font-size: 0.9em; }
.check-flags .unsupported { color: var(--error-text-color); }
.check-flags .weak { color: var(--block-label-text-color); }
#library-count { font-size: 0.95em; }
#delete-confirm { border: 1px solid var(--error-text-color); border-radius: 6px; padding: 8px; }
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

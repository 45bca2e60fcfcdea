"""Write the briefing: per story a cited headline and key points (map), then a cited overview (reduce)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from itertools import combinations

import numpy as np
from langchain_core.language_models import BaseChatModel
from tqdm import tqdm

from assistant.briefing.model import Briefing, KeyPoint, StoryBrief
from assistant.briefing.stories import Story
from assistant.language import normalize_answer
from assistant.markers import MARKER, rewrite_markers, strip_markers
from assistant.prompts import format_passages
from assistant.grounding.citations import check_answer
from assistant.grounding.passage_window import best_windows, covers_lead, lead_passage
from assistant.grounding.verify import conflicting_figures
from assistant.records import Passage
from assistant.safety import contains_instructions, is_call_to_action
from assistant.sentences import sentence_spans, split_sentences
from assistant.markers import cite
from assistant.settings import Settings
from assistant.prompt_chains import text_chain

NUMBER = re.compile(r"\d[\d,.]*\d|\d")


def number_disagreements(story: Story, excerpts: list[Passage], encode: Callable[[list[str]], np.ndarray],
                         similarity: float = 0.45) -> list[tuple[int, str, int, str]]:
    """Pairs of close sentences from different outlets that give different numbers: (i, sentence, j, sentence)."""
    sentences: list[tuple[int, str]] = []
    for index, passage in enumerate(excerpts):
        for start, end in sentence_spans(passage.text):
            text = passage.text[start:end]
            if NUMBER.search(text) and not contains_instructions(text):  # never quote an order to AI systems
                sentences.append((index, text))
    if len(sentences) < 2:
        return []
    vectors = encode([s for _, s in sentences])
    found = []
    for a, b in combinations(range(len(sentences)), 2):
        (i, first), (j, second) = sentences[a], sentences[b]
        if excerpts[i].source == excerpts[j].source or float(vectors[a] @ vectors[b]) < similarity:
            continue
        if conflicting_figures(first, second):
            found.append((i, first, j, second))
    return found[:2]


def headline_is_grounded(headline: str, excerpts: list[Passage]) -> bool:
    """Every name in the headline (capitalised word after the first) appears in the excerpts."""
    text = " ".join(p.title + " " + p.text for p in excerpts).lower()
    names = re.findall(r"(?<!^)\b[A-Z][\w'’-]+", headline.strip())
    return bool(headline.strip()) and all(name.lower().rstrip("'’s") in text for name in names)


def repeats(sentence: str, others: list[str], encode, at: float = 0.85) -> bool:
    """Whether the sentence says again what one of the others says (embedding cosine at or above `at`)."""
    if not others:
        return False
    vectors = encode([sentence] + others)
    return float((vectors[1:] @ vectors[0]).max()) >= at


def safe_headline(headline: str) -> bool:
    letters = [c for c in headline if c.isalpha()]
    shouting = len(letters) > 8 and sum(c.isupper() for c in letters) / len(letters) > 0.8
    return not shouting and not is_call_to_action(headline) and not contains_instructions(headline)


def fallback_headline(reports) -> str:
    """The lead report's own title, unless it too shouts or gives orders; then a plain label."""
    for report in reports:
        if safe_headline(report.title):
            return report.title
    return f"Report from {reports[0].source}"


def parse_story(text: str) -> tuple[str, list[str]]:
    headline, points = "", []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.lower().startswith("headline:"):
            headline = line.split(":", 1)[1].strip().strip('"')
        elif line[:1] in "-*•":
            points.append(line[1:].strip())
        elif headline and not points and len(line) > 20:
            points.append(line)
    return headline, points[:4]


class BriefingWriter:
    def __init__(self, settings: Settings, chat_model: BaseChatModel, encode: Callable[[list[str]], np.ndarray]):
        self.settings = settings
        self.encode = encode
        self.story_chain = text_chain(chat_model, "briefing_story_user", "briefing_story_system", max_tokens=220)
        self.overview_chain = text_chain(chat_model, "briefing_overview_user", "briefing_overview_system", max_tokens=220)

    def write_story(self, story: Story, numbers: dict[str, int], earlier: dict | None) -> StoryBrief:
        reports = story.reports[: self.settings.briefing_articles_per_story]
        query = " ".join(a.title for a in reports)
        # the lead report's excerpt is its own opening (headline and lead state the story's central claim)
        lead = lead_passage(reports[0], self.settings.briefing_article_chars)
        excerpts = [lead] + best_windows([a.as_passage() for a in reports[1:]], query, self.encode,
                                         self.settings.briefing_article_chars)
        local_to_global = {i: numbers[p.article_id] for i, p in enumerate(excerpts, 1)}
        earlier_text = ""
        if earlier:
            earlier_text = (f"Earlier briefing on this story: {earlier['headline']}. Lead with what is new today.\n\n")
        raw = self.story_chain.invoke({"excerpts": format_passages(excerpts), "earlier": earlier_text})
        headline, lines = parse_story(raw)
        if not headline_is_grounded(headline, excerpts) or not safe_headline(headline):
            headline = fallback_headline(reports)  # a headline naming what no excerpt says, or shouting an order
        points: list[KeyPoint] = []
        seen: set[str] = set()
        for line in lines:
            key = normalize_answer(MARKER.sub("", line))
            if key in seen or is_call_to_action(line) or contains_instructions(line):
                continue  # an article's call to action or instruction is never the briefing's own voice
            seen.add(key)
            checked = check_answer(line, excerpts, self.encode, self.settings.support_threshold)
            cited = [s for s in checked.sentences if s.markers]
            if not cited:
                continue
            supported = all(s.supported for s in cited)
            points.append(KeyPoint(rewrite_markers(checked.text, local_to_global), supported, min(s.support for s in cited)))
        if points and not any(covers_lead(strip_markers(p.text), lead, self.encode) for p in points[:2]):
            # the model missed what the story is about: lead with the lead report's opening sentence
            opening = next((s for s in split_sentences(lead.text) if len(s) > 25), "")
            if opening and not is_call_to_action(opening) and not contains_instructions(opening):
                points.insert(0, KeyPoint(rewrite_markers(cite(opening, 1), local_to_global), True, 1.0))
        for i, first, j, second in number_disagreements(story, excerpts, self.encode):
            text = (f"Reports differ: {excerpts[i].source} says \u201c{first}\u201d [{local_to_global[i + 1]}], while "
                    f"{excerpts[j].source} says \u201c{second}\u201d [{local_to_global[j + 1]}].")
            points.append(KeyPoint(text, True, 1.0))
        dropped = 0
        if self.settings.briefing_drop_unsupported and any(p.supported for p in points):
            dropped = sum(1 for p in points if not p.supported)
            points = [p for p in points if p.supported]
        return StoryBrief(headline or reports[0].title, points, sorted(numbers[a.id] for a in story.articles),
                          len(story.articles), len(story.outlets), dropped,
                          "continuing" if earlier else "new",
                          [round(float(x), 5) for x in story.centroid])

    def write_overview(self, day: str, briefs: list[StoryBrief], sources: list[Passage]) -> tuple[str, bool]:
        listing = "\n".join(f"{i}. {b.headline}\n" + "\n".join(f"   - {p.text}" for p in b.points[:2])
                            for i, b in enumerate(briefs[:6], 1))
        raw = self.overview_chain.invoke({"day": day, "stories": listing}).strip()
        checked = check_answer(raw, sources, self.encode, self.settings.support_threshold)
        cited = [s for s in checked.sentences if s.markers]
        prose = not re.search(r"(^|\n)\s*(\d+\.|[-*•])\s", raw) and 2 <= len(checked.sentences) <= 6
        if not (prose and cited and all(s.supported for s in checked.sentences)):
            return "", False  # a list, too much, or something unsupported: no overview rather than a doubtful one
        points = [strip_markers(p.text) for b in briefs for p in b.points]
        fresh = [s.text for s in checked.sentences if not repeats(strip_markers(s.text), points, self.encode)]
        # an overview that only repeats the key points says nothing new: leave it out
        return (" ".join(fresh), True) if fresh else ("", False)

    def write(self, stories: list[Story], day: str, window: tuple[datetime, datetime],
              previous: dict | None, progress: bool = True, continuing: dict[int, dict] | None = None) -> Briefing:
        """`continuing` (story memory id -> earlier story) replaces matching the previous briefing's centroids
        when the story memory knows which stories continue."""
        import time
        started = time.perf_counter()
        stories = stories[: self.settings.briefing_max_stories]
        ordered = [a for s in stories for a in s.articles]
        numbers = {a.id: i for i, a in enumerate(ordered, 1)}
        reprint_of = {aid: orig for s in stories for aid, orig in s.reprints.items()}
        sources = [{"n": numbers[a.id], "article_id": a.id, "title": a.title, "source": a.source, "url": a.url,
                    "published_at": a.published_at, "reprint_of": numbers.get(reprint_of.get(a.id, ""))} for a in ordered]
        earlier_stories = previous.get("stories", []) if previous else []
        briefs = []
        for story in tqdm(stories, desc="Writing stories", unit="story", disable=not progress, dynamic_ncols=True):
            if continuing is not None and story.story_id is not None:
                earlier = continuing.get(story.story_id)
            else:
                earlier = match_earlier(story, earlier_stories, self.settings.story_similarity)
            briefs.append(self.write_story(story, numbers, earlier))
        overview, overview_ok = ("", False)
        if len(briefs) > 1:  # one story: its key points say it all, an overview would only repeat them
            passages = [a.as_passage() for a in ordered]
            passages = best_windows(passages, " ".join(b.headline for b in briefs), self.encode,
                               self.settings.briefing_article_chars)
            overview, overview_ok = self.write_overview(day, briefs, passages)
        return Briefing(day, self.settings.briefing_timezone, (window[0].isoformat(), window[1].isoformat()),
                        overview, overview_ok, briefs, sources, {"total_s": round(time.perf_counter() - started, 2)})


def match_earlier(story: Story, earlier: list[dict], threshold: float) -> dict | None:
    best, best_score = None, threshold
    for item in earlier:
        if not item.get("centroid"):
            continue
        score = float(np.asarray(item["centroid"]) @ story.centroid)
        if score >= best_score:
            best, best_score = item, score
    return best

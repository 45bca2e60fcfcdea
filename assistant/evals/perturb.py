"""A verifier dev set that does not come from the product's own answers.

Sentences are taken from real articles with their surrounding passage; each becomes a faithful
example (as written, or shortened by dropping an attribution or a trailing clause) or one of
five unfaithful copies: an entity swapped for another of the same article, a number changed,
a negation flipped, a relation flipped (two names exchanged, or a verb turned into its
opposite) and an unsupported detail added. Deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.language import AUXILIARIES, AUXILIARY_PATTERN, CALENDAR_WORDS, MODALS, alternation, names
from assistant.sentences import sentence_spans

NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w])")
AUXILIARY = re.compile(rf"\b({alternation(AUXILIARIES + MODALS)})\b(?!\s+not\b|n['’]t)")
NEGATED = re.compile(rf"\b({AUXILIARY_PATTERN})\s+not\b|"
                     r"\b(isn|aren|wasn|weren|hasn|haven|hadn|won|wouldn|can|couldn|didn|doesn|don|shouldn)['’]t\b")
OPPOSITES = {
    "increased": "decreased", "decreased": "increased", "rose": "fell", "fell": "rose", "won": "lost", "lost": "won",
    "approved": "rejected", "rejected": "approved", "hired": "fired", "fired": "hired", "bought": "sold", "sold": "bought",
    "opened": "closed", "closed": "opened", "before": "after", "after": "before", "more": "fewer", "higher": "lower",
    "lower": "higher", "gained": "lost", "supported": "opposed", "opposed": "supported", "accepted": "refused",
    "joined": "left", "left": "joined", "raised": "cut", "cut": "raised", "launched": "cancelled", "signed": "released",
    "first": "last", "last": "first", "largest": "smallest", "biggest": "smallest", "beat": "lost to", "up": "down",
    "down": "up", "start": "end", "started": "ended", "ended": "started", "allowed": "banned", "banned": "allowed",
}
ATTRIBUTION = re.compile(r"(,\s*(?:he|she|they|it|the \w+|[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*)\s+(?:said|says|told \w+|added|wrote)\s*\.?$)|"
                         r"(^According to [^,]+,\s*)", re.I)
STARTERS = frozenset("The A An In On At But And He She They It This That These Those When While After Before As If For "
                     "Its His Her Their Our We I You Last Next Now Then However Meanwhile Also With From By To Of".split()
                     ) | {word.capitalize() for word in CALENDAR_WORDS}


@dataclass
class Example:
    id: str
    kind: str  # faithful | entity | number | negation | relation | added
    text: str
    passage: str
    supported: bool
    source_sentence: str


def entities(sentence: str) -> list[str]:
    return [n for n in names(sentence) if len(n) >= 3 and not set(n.split()) & STARTERS]


def windows(body: str) -> Iterator[tuple[str, str]]:
    """(sentence, passage) pairs: the passage is the sentence with its neighbours."""
    spans = sentence_spans(body)
    for i, (s, e) in enumerate(spans):
        sentence = body[s:e]
        if not (60 <= len(sentence) <= 320) or "\n" in sentence or "{" in sentence or "http" in sentence:
            continue
        lo, hi = spans[max(0, i - 1)][0], spans[min(len(spans) - 1, i + 1)][1]
        yield sentence, body[lo:hi]


def swap_entity(sentence: str, passage: str, article_entities: list[str], rng: random.Random) -> str | None:
    own = [e for e in entities(sentence) if len(e) > 3]
    if not own:
        return None
    target = rng.choice(own)
    multi = len(target.split()) > 1
    choices = [e for e in article_entities if e not in passage and e != target and (len(e.split()) > 1) == multi]
    if not choices:
        return None
    return sentence.replace(target, rng.choice(choices), 1)


def change_number(sentence: str, rng: random.Random) -> str | None:
    numbers = [m for m in NUMBER.finditer(sentence) if not re.fullmatch(r"(19|20)\d\d", m.group(0))]
    if not numbers:
        return None
    match = rng.choice(numbers)
    raw = match.group(0)
    value = float(raw.replace(",", ""))
    new = value + rng.choice([1, 2, 3, 5]) if value < 10 else value * rng.choice([0.6, 0.75, 1.3, 1.5, 2])
    text = (f"{new:,.0f}" if "," in raw else f"{new:.0f}") if "." not in raw else f"{new:.{len(raw.split('.')[1])}f}"
    if text == raw:
        return None
    return sentence[:match.start()] + text + sentence[match.end():]


def flip_negation(sentence: str) -> str | None:
    negated = NEGATED.search(sentence)
    if negated:
        if negated.group(1):
            return sentence[:negated.start()] + negated.group(1) + sentence[negated.end():]
        base = {"won": "will", "can": "can", "don": "do", "doesn": "does", "didn": "did"}.get(negated.group(2), negated.group(2))
        return sentence[:negated.start()] + base + sentence[negated.end():]
    auxiliary = AUXILIARY.search(sentence)
    if not auxiliary:
        return None
    return sentence[:auxiliary.end()] + " not" + sentence[auxiliary.end():]


def flip_relation(sentence: str, rng: random.Random) -> str | None:
    own = list(dict.fromkeys(e for e in entities(sentence) if len(e) > 3))
    if len(own) >= 2 and rng.random() < 0.5:
        a, b = own[0], own[1]
        if a in b or b in a:
            return None
        return sentence.replace(a, "\x00").replace(b, a).replace("\x00", b)
    words = [m for m in re.finditer(r"\b\w+\b", sentence) if m.group(0).lower() in OPPOSITES]
    if not words:
        return None
    match = rng.choice(words)
    opposite = OPPOSITES[match.group(0).lower()]
    if match.group(0)[0].isupper():
        opposite = opposite.capitalize()
    return sentence[:match.start()] + opposite + sentence[match.end():]


def add_detail(sentence: str, passage: str, other_entities: list[str], rng: random.Random) -> str | None:
    names = [e for e in other_entities if e not in passage and len(e.split()) <= 3]
    if not names:
        return None
    name = rng.choice(names)
    detail = rng.choice([f", according to {name}", f" after talks with {name}", f" in {rng.randint(2, 19)} cities",
                         f", a move backed by {name}", f" for ${rng.randint(2, 90)} million"])
    body = sentence.rstrip(" .”\"'")
    tail = sentence[len(body):]
    return body + detail + tail


def shorten(sentence: str) -> str | None:
    """A faithful, shorter wording: attribution dropped, or the last clause after a comma dropped."""
    cut = ATTRIBUTION.sub("", sentence).strip()
    if cut != sentence and len(cut) > 30:
        return cut[0].upper() + cut[1:] if cut[0].islower() else cut.rstrip(",") + ("" if cut.endswith(".") else ".")
    if ", " in sentence:
        head = sentence.rsplit(", ", 1)[0]
        if len(head) > 40 and head.count("“") == head.count("”") and head.count('"') % 2 == 0:
            return head + "."
    return None


def build(corpus: Path, per_kind: int = 40, seed: int = 7) -> list[Example]:
    rng = random.Random(seed)
    articles = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng.shuffle(articles)
    all_entities = [e for a in articles[:200] for s, t in sentence_spans(a["body"][:3000]) for e in entities(a["body"][s:t])]
    makers = {
        "entity": lambda s, p, ents: swap_entity(s, p, ents, rng),
        "number": lambda s, p, ents: change_number(s, rng),
        "negation": lambda s, p, ents: flip_negation(s),
        "relation": lambda s, p, ents: flip_relation(s, rng),
        "added": lambda s, p, ents: add_detail(s, p, all_entities, rng),
    }
    counts = {kind: 0 for kind in ["faithful", *makers]}
    examples: list[Example] = []
    for article in articles:
        body = article["body"]
        article_entities = list(dict.fromkeys(e for s, t in sentence_spans(body) for e in entities(body[s:t])))
        pairs = list(windows(body))
        rng.shuffle(pairs)
        for sentence, passage in pairs[:4]:
            kinds = [k for k in counts if counts[k] < (2 * per_kind if k == "faithful" else per_kind)]
            if not kinds:
                return examples
            kind = rng.choice(kinds)
            if kind == "faithful":
                text = shorten(sentence) if rng.random() < 0.6 else sentence
            else:
                text = makers[kind](sentence, passage, article_entities)
            if not text or text == sentence and kind != "faithful":
                continue
            counts[kind] += 1
            examples.append(Example(f"{article['id']}-{kind}-{counts[kind]}", kind, text, passage, kind == "faithful", sentence))
    return examples


def write(examples: list[Example], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(asdict(e), ensure_ascii=False) + "\n" for e in examples), encoding="utf-8")

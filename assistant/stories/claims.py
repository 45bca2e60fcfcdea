"""The checkable claims of a report, found in code: figures, quotes, and who did what.

A claim is one sentence of the report (an exact span of its body, so it can be cited): a figure with
the quantity it counts ("19 dead" counts deaths), a quotation, or a sentence that names someone and
says what they did. Each claim also carries whether it is negated, whether its wording revises an
earlier figure ("has risen to"), and whether the report corrects itself ("an earlier version said").
"""

from __future__ import annotations

import re

from assistant.language import MONTH_PATTERN, STOPWORDS, names, stem
from assistant.grounding.passage_window import BOILERPLATE
from assistant.grounding.verify import negated
from assistant.records import StoredArticle
from assistant.safety import contains_instructions, is_call_to_action
from assistant.sentences import sentence_spans
from assistant.stories.model import Claim
from assistant.stories.wording import QUOTE

# Words near a number that say what it counts (first match nearest the number wins).
QUANTITY_WORDS = {
    "deaths": ("dead", "killed", "died", "death", "deaths", "toll", "fatalities", "lives", "bodies", "drowned"),
    "injuries": ("injured", "wounded", "hurt", "injuries", "hospitalised", "hospitalized"),
    "missing": ("missing", "unaccounted"),
    "evacuated": ("evacuated", "evacuation", "displaced", "homeless", "evacuees"),
    "jobs": ("jobs", "job", "employ", "employs", "employed", "layoffs", "redundancies", "positions"),
    "workers": ("workers", "staff", "employees"),
    "votes": ("votes", "voted", "ballots"),
    "homes": ("homes", "houses", "households", "buildings", "properties"),
    "rainfall": ("millimetres", "millimeters", "mm", "inches", "rain", "rainfall"),
    "percent": ("percent", "per cent", "%"),
    "money": ("euros", "euro", "dollars", "dollar", "pounds", "yen", "francs"),
}
WORD_TO_QUANTITY = {stem(w): kind for kind, words in QUANTITY_WORDS.items() for w in words}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
                "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
                "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12, "dozens": 24}
COUNTED_PEOPLE = frozenset("people persons residents civilians children adults men women victims passengers pupils "
                           "students others locals villagers".split())
MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "m": 1e6, "bn": 1e9}
MONTHS = MONTH_PATTERN
FIGURE = re.compile(
    r"(?P<currency>[$€£])?\s?(?P<number>\d+(?:,\d{3})*(?:\.\d+)?|\b(?:" + "|".join(NUMBER_WORDS) + r")\b)"
    r"(?:\s?(?P<mult>thousand|million|billion|trillion|bn|m)\b)?(?P<percent>\s?%|\s(?:percent|per cent)\b)?", re.I)
UPDATE_WORDING = re.compile(r"\b(ris(?:en|es|e)|rose|climb(?:ed|s)?|increas(?:ed|es)|jump(?:ed|s)|revis(?:ed|es)|"
                            r"now stands?|now at|has grown|updated|latest figures?|rais(?:ed|es)|fell|dropped|"
                            r"lowered|now (?:confirmed|says|puts?)|up from|down from)\b", re.I)
CORRECTION_WORDING = re.compile(r"\b(correction|corrected|an earlier version|incorrectly|misstated|erroneously|"
                                r"clarification|we regret)\b", re.I)
ACTION_MIN_WORDS = 6


def parse_value(number: str, multiplier: str | None) -> float | None:
    word = NUMBER_WORDS.get(number.lower())
    try:
        value = float(word if word is not None else number.replace(",", ""))
    except ValueError:
        return None
    return value * MULTIPLIERS.get((multiplier or "").lower(), 1.0)


def identifier_or_date(sentence: str, start: int, end: int, number: str) -> bool:
    """A number that names rather than counts: a year, a time, a date, a score, "Route 9", "Week 5", "3rd"."""
    before, after = sentence[max(0, start - 12):start], sentence[end:end + 12]
    if re.fullmatch(r"(1[89]|20)\d\d", number) and not re.match(r"\s?(people|jobs|homes|workers)", after):
        return True
    if re.match(r"[:\-–/]\d|(st|nd|rd|th)\b|\s?(a\.m|p\.m|am\b|pm\b|GMT|UTC)", after, re.I):
        return True
    if re.search(r"\d[\-–/:]$", before) or re.search(rf"\b({MONTHS})\.?\s*$", before, re.I):
        return True
    if re.match(rf"\s({MONTHS})\b", after, re.I):
        return True
    return bool(re.search(r"\b[A-Z][a-z]+\s$", before)) and not re.search(r"\b(About|Some|Nearly|Almost|Over|At|Around|Another|Roughly|More|Fewer|Less|Just|The|All|"
                                                                          r"Up|Only|Exactly)\s$", before)


def quantity_of(sentence: str, start: int, end: int, currency: str | None, percent: str | None) -> str:
    """What the figure at [start, end) counts: a QUANTITY_WORDS word right after it ("450 jobs"), else its unit
    ("40 hectares"), else, after a word for people ("12 people were killed"), the nearest QUANTITY_WORDS word
    around it; "" when nothing says."""
    if currency:
        return "money"
    if percent:
        return "percent"
    rest = sentence[end:end + 60]
    following = [] if re.match(r"\s*[,.;:)]", rest) else re.findall(r"[A-Za-z]+", rest)[:2]
    for word in following:
        if WORD_TO_QUANTITY.get(stem(word)):
            return WORD_TO_QUANTITY[stem(word)]
    if following and following[0].lower() not in COUNTED_PEOPLE and following[0].lower() not in STOPWORDS:
        return stem(following[0])
    before = list(reversed(re.findall(r"[A-Za-z]+", sentence[max(0, start - 100):start])[-12:]))
    after = re.findall(r"[A-Za-z]+", rest)[:6]
    for word in [w for pair in zip(after + [""] * 12, before + [""] * 12) for w in pair if w]:
        if WORD_TO_QUANTITY.get(stem(word)):
            return WORD_TO_QUANTITY[stem(word)]
    return "people" if following else ""


def figures_in(sentence: str) -> list[tuple[str, float]]:
    """(quantity, value) of each figure that counts something in the sentence."""
    found = []
    for match in FIGURE.finditer(sentence):
        number = match.group("number")
        start, end = match.start("number"), match.end()
        if identifier_or_date(sentence, start, match.end("number"), number):
            continue
        value = parse_value(number, match.group("mult"))
        if value is None:
            continue
        kind = quantity_of(sentence, match.start(), end, match.group("currency"), match.group("percent"))
        if number.lower() in NUMBER_WORDS and kind not in QUANTITY_WORDS:
            continue  # "two council members said": a spelled-out number counts only what the table knows
        if kind:
            found.append((kind, value))
    return found


def report_sentences(article: StoredArticle, most: int) -> list[tuple[int, int]]:
    """The spans claims are read from: the first `most` sentences after any page furniture, and every
    sentence that corrects the report (correction notes sit at the end)."""
    spans = [(s, e) for s, e in sentence_spans(article.body) if e - s > 20]
    opening = [(s, e) for s, e in spans if not BOILERPLATE.search(article.body[s:e])][:most]
    notes = [(s, e) for s, e in spans if CORRECTION_WORDING.search(article.body[s:e]) and (s, e) not in opening]
    return opening + notes


def extract_claims(article: StoredArticle, most_sentences: int = 8) -> list[Claim]:
    """The checkable claims of one report, in body order."""
    claims = []
    correcting = bool(CORRECTION_WORDING.search(article.body))
    for start, end in report_sentences(article, most_sentences):
        text = article.body[start:end]
        if is_call_to_action(text) or contains_instructions(text) or text.rstrip().endswith("?"):
            continue
        figures = figures_in(text)
        common = dict(start=start, end=end, negated=negated(text), update=bool(figures and UPDATE_WORDING.search(text)),
                      correction=correcting and bool(CORRECTION_WORDING.search(text)), names=names(text))
        if figures:
            for quantity in dict.fromkeys(q for q, _ in figures):
                values = tuple(v for q, v in figures if q == quantity)
                claims.append(Claim("figure", text, quantity=quantity, values=values, **common))
        elif QUOTE.search(text):
            claims.append(Claim("quote", text, **common))
        elif common["names"] and len(text.split()) >= ACTION_MIN_WORDS:
            claims.append(Claim("action", text, **common))
    return claims

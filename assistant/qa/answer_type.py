"""What kind of thing a question asks for, and whether an answer's first sentence names one.

Worked out from the question's own words in general terms (its wh-word and the noun after it),
never from a dataset's wording: "Who ..." wants a person, "How many ..." a number, "Which country
..." a country, "Which app ..." a name. An answer whose lead names nothing of the asked kind that a
cited passage also holds ("Which country ...?" -> "Dubai International Airport shut down") is
answered again from the candidates the passages offer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant.language import AUXILIARIES, MONTH_PREFIX_PATTERN, WEEKDAYS, alternation, names, normalize_answer

# Nouns after "which/what" that ask for a place, by kind of place.
PLACE_NOUNS = {
    "country": "country", "nation": "country", "state": "state", "city": "place", "town": "place",
    "region": "place", "territory": "place", "island": "place", "province": "place", "county": "place",
    "capital": "place", "continent": "place", "place": "place", "location": "place", "site": "place",
    "village": "place", "area": "place", "neighborhood": "place", "neighbourhood": "place",
}
# Nouns after "which/what" that ask for a person.
PERSON_NOUNS = frozenset(
    "person people man woman individual actor actress singer rapper artist musician player athlete coach manager "
    "president senator governor mayor minister leader official candidate judge lawyer author writer director "
    "ceo founder executive billionaire star celebrity chef host comedian astronaut scientist pope king queen prince "
    "princess model designer journalist anchor icon figure politician member lawmaker secretary tennis golfer".split())
# Nouns after "which/what" whose answer is a proper name (an organisation, a work, a product, an event);
# other nouns ("which animal", "which part of the body") may be answered with a common noun: not checked.
NAMED_NOUNS = frozenset(
    "company firm business brand chain retailer restaurant app platform website site network service product device "
    "phone car airline bank team club franchise league party agency department organisation organization group "
    "charity union university school college magazine newspaper paper broadcaster channel outlet studio label band "
    "film movie show series book novel song album game play musical opera award prize tournament festival event "
    "storm hurricane ship rocket spacecraft satellite mission program programme law bill treaty court museum "
    "restaurant hotel airport stadium building bridge residence palace castle church ruler dynasty dictionary "
    "character holiday title nickname slogan".split())
AMOUNT_NOUNS = frozenset("percentage percent number amount share proportion price cost sum total rate figure age salary wage "
                         "pay fee budget toll population score tally count size distance height weight".split())
TIME_NOUNS = frozenset("year date day month time decade century".split())
# Nouns that ask for an amount rather than a name.
QUANTITY_WORDS = re.compile(r"^\s*(?:how\s+(?:many|much|long|old|far|tall|big|high|fast|often)|what\s+(?:percentage|percent|"
                            r"share|proportion|fraction|number|amount|age|price|cost|sum|total|rate|figure)|"
                            r"by\s+how\s+much)\b", re.I)
DATE_WORDS = re.compile(r"^\s*(?:when|what\s+(?:year|date|day|month|time)|which\s+(?:year|date|day|month))\b", re.I)
REASON_WORDS = re.compile(r"^\s*(?:why|how\s+(?:did|does|do|is|are|was|were|can|could|will|would))\b", re.I)
WHO_WORDS = re.compile(r"^\s*(?:who|whom|whose)\b", re.I)
WHERE_WORDS = re.compile(r"^\s*where\b", re.I)
# "Which X", "What X", "In which X", also after a leading clause ("..., to which country?"), or "What is the X".
HEAD_PHRASE = re.compile(r"\b(?:which|what)\s+(?:of\s+the\s+following\s+)?((?:[\w’'-]+\s+){0,6}[\w’'-]+)", re.I)
# "What is the name of the charity ..." asks "which charity ...".
NAME_OF = re.compile(r"\bwhat(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+the\s+names?\s+of\s+(?:the\s+|an?\s+|this\s+|that\s+)?", re.I)
NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
                    r"fifty|hundred|thousand|million|billion|trillion|dozen|half)\b", re.I)
DATE_TEXT = re.compile(rf"\b(?:1[89]|20)\d\d\b|\b{MONTH_PREFIX_PATTERN}\.?\s+\d|"
                       rf"\b(?:{alternation(WEEKDAYS)}|yesterday|today)\b", re.I)
QUOTED = re.compile(r"[\"“‘']([^\"”’']{2,80})[\"”’']")
# Everyday aliases that the ISO country names do not spell out.
COUNTRY_ALIASES = ("US", "U.S.", "USA", "America", "United States", "UK", "U.K.", "Britain", "Great Britain", "England",
                   "Scotland", "Wales", "Russia", "Iran", "Syria", "South Korea", "North Korea", "Vietnam", "Laos",
                   "Bolivia", "Venezuela", "Tanzania", "Taiwan", "Moldova", "Czech Republic", "Czechia", "Turkey",
                   "Palestine", "Vatican", "Ivory Coast", "Congo", "Micronesia", "Brunei")

# Country abbreviations a lead spells out ("UK [1]." -> "United Kingdom (UK) [1]."): a reader, a grader
# and a follow-up question all find the full name, and the abbreviation stays beside it.
COUNTRY_SPELLED_OUT = {"US": "United States", "U.S.": "United States", "USA": "United States",
                       "U.S.A.": "United States", "UK": "United Kingdom", "U.K.": "United Kingdom",
                       "UAE": "United Arab Emirates", "DRC": "Democratic Republic of the Congo"}
LEADING_ABBREVIATION = re.compile(r"^(\s*(?:[Tt]he\s+)?)(" + "|".join(re.escape(a) for a in sorted(COUNTRY_SPELLED_OUT, key=len, reverse=True))
                                  + r")(?=[\s.,;:\[]|$)")


@dataclass(frozen=True)
class AnswerType:
    kind: str  # person | place | country | state | quantity | date | reason | name | open
    noun: str = ""  # the noun the question asks for ("app", "country"), when it names one

    @property
    def checkable(self) -> bool:
        return self.kind not in ("reason", "open")


@lru_cache(maxsize=1)
def country_names() -> frozenset[str]:
    """Lower-case country names (ISO 3166 names and common names from pycountry, plus everyday aliases)."""
    found = {a.lower() for a in COUNTRY_ALIASES}
    try:
        import pycountry
    except ImportError:  # the aliases alone still cover the common cases
        return frozenset(found)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                found.add(value.lower())
                found.add(value.split(",")[0].lower())
    return frozenset(found)


@lru_cache(maxsize=1)
def us_state_names() -> frozenset[str]:
    try:
        import pycountry
    except ImportError:
        return frozenset()
    return frozenset(s.name.lower() for s in pycountry.subdivisions.get(country_code="US") or [])


AUXILIARY_WORDS = frozenset(AUXILIARIES)
DETERMINERS = frozenset("the a an this that these those its their his her".split())
NOUN_PHRASE_END = frozenset("of in on at for to with by from that who which as about after before during "
                            "when where whose than".split())


def known_noun(word: str) -> str:
    for form in (word, word.rstrip("s"), re.sub(r"ies$", "y", word)):
        if form in PLACE_NOUNS or form in PERSON_NOUNS or form in NAMED_NOUNS or form in TIME_NOUNS | AMOUNT_NOUNS:
            return form
    return ""


def head_noun(phrase: str) -> str:
    """The noun a "which/what" phrase asks for. "which two actors ..." -> "actor" (the first word a table
    knows); "what is the mayor's salary" -> "salary" (the last word of the noun phrase after the verb)."""
    words = [w.lower().strip("?,.") for w in phrase.split()]
    if words and words[0] in AUXILIARY_WORDS:
        phrase_words = []
        for word in words[1:]:
            if word in NOUN_PHRASE_END:
                break
            if word not in DETERMINERS:
                phrase_words.append(word)
        if not phrase_words:
            return ""
        head = re.sub(r"['’]s$", "", phrase_words[-1])
        return known_noun(head) or head
    for word in words[:3]:
        found = known_noun(re.sub(r"['’]s$", "", word))
        if found:
            return found
    return words[0] if words else ""


def expected_type(question: str) -> AnswerType:
    """The kind of answer a question asks for, from its wh-word and head noun."""
    text = NAME_OF.sub("which ", " ".join(question.split()))
    if QUANTITY_WORDS.search(text):
        return AnswerType("quantity")
    if DATE_WORDS.search(text):
        return AnswerType("date")
    if REASON_WORDS.search(text):
        return AnswerType("reason")
    if WHO_WORDS.search(text):
        return AnswerType("person")
    if WHERE_WORDS.search(text):
        return AnswerType("place")
    head = HEAD_PHRASE.search(text)
    if head:
        noun = head_noun(head.group(1))
        if noun in AMOUNT_NOUNS:
            return AnswerType("quantity", noun)
        if noun in TIME_NOUNS:
            return AnswerType("date", noun)
        if noun in PLACE_NOUNS:
            return AnswerType(PLACE_NOUNS[noun], noun)
        if noun in PERSON_NOUNS:
            return AnswerType("person", noun)
        if noun in NAMED_NOUNS:
            return AnswerType("name", noun)
        return AnswerType("open", noun)
    return AnswerType("open")


def candidates_in(text: str, wanted: AnswerType) -> list[str]:
    """Answers of the wanted kind that a text offers (names, countries, numbers, dates), in order."""
    if wanted.kind == "quantity":
        return re.findall(r"[$£€]?\d[\d,.]*\s*(?:%|percent|per cent|million|billion|trillion|thousand|hours?|days?|years?)?",
                          text)
    if wanted.kind == "date":
        return [m.group(0) for m in DATE_TEXT.finditer(text)]
    found = names(text) + [q.strip() for q in QUOTED.findall(text)]
    if wanted.kind == "country":
        return [n for n in found if is_country(n)]
    if wanted.kind == "state":
        return [n for n in found if n.lower() in us_state_names() or is_country(n)]
    return found


def is_country(name: str) -> bool:
    lowered = re.sub(r"^the\s+", "", name.lower())
    return lowered in country_names()


def names_kind(lead: str, wanted: AnswerType, passages_text: str) -> bool:
    """Whether the lead names an answer of the wanted kind that the passages also hold."""
    if not wanted.checkable:
        return True
    if wanted.kind in ("quantity", "date"):
        return any(normalize_answer(c) and normalize_answer(c) in normalize_answer(passages_text)
                   for c in candidates_in(lead, wanted) if c.strip())
    # The first word of a lead is capitalised whatever it is, so names() drops it: read the lead as a clause.
    found = candidates_in(f"x {lead}", wanted)
    held = f" {normalize_answer(passages_text)} "
    # "McDonald" (a name with its possessive cut) is held where the passages write "McDonald's"
    return any(re.search(rf" {re.escape(normalize_answer(c))}s? ", held) for c in found if normalize_answer(c))


def spelled_out(answer: str, wanted: AnswerType) -> str:
    """A country answer that leads with an abbreviation names the country in full, the abbreviation after it."""
    if wanted.kind not in ("country", "state"):
        return answer
    return LEADING_ABBREVIATION.sub(lambda m: f"{m.group(1)}{COUNTRY_SPELLED_OUT[m.group(2)]} ({m.group(2)})",
                                    answer, count=1)

"""Question analysis: the question's shape, the outlets and dates it names, and its claims.

A question is one of: a single fact; an entity that several named outlets report (inference);
a yes/no comparison of outlets' claims; a temporal yes/no about dated reports. Comparison and
temporal questions are split into one claim per named report, so each claim can be retrieved
within its own outlet and dates, judged on its own passages, and the yes/no composed in code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from dateutil import parser as date_parser

from assistant.lexicon import AUXILIARY_PATTERN, REPORT_WORD_PATTERN

YES_NO_START = re.compile(rf"^\s*(?:{AUXILIARY_PATTERN})\b", re.I)
MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
DATE_TEXT = re.compile(rf"\b(?:{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{MONTH}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\b")
DATE_RELATION = re.compile(r"\b(before|prior to|after|since|following|by|on|from)\s+(?:the\s+)?$", re.I)
REPORT_WORD = REPORT_WORD_PATTERN
NAME = r"['\"‘“]?[A-Z][\w.&'’-]*(?:\s+(?:of\s+|the\s+|and\s+|&\s+)?[A-Z][\w.&'’-]*)*['\"’”]?"
ABSENT_OUTLET_PATTERNS = [
    re.compile(rf"\b{REPORT_WORD}\s+(?:from|by|in|published by|published in)\s+(?:the\s+|an?\s+)?({NAME})"),
    re.compile(rf"(?:\b(?:an?|the|from|by|in|and)\s+)({NAME})(?:['’]s)?\s+{REPORT_WORD}\b"),
    re.compile(rf"\b(?:according to|as reported by|reported by|published by)\s+(?:the\s+|an?\s+)?({NAME})"),
]
NOT_OUTLET_WORDS = frozenset("considering based between after before does did do is are was were which what who how the a an "
                             "first second third another other both same recent latest earlier later".split())
ORDER_WORDS = {"before": "before", "prior to": "before", "earlier than": "before", "after": "after",
               "following": "after", "subsequent": "after", "later than": "after"}
CONSISTENT = re.compile(r"\b(consisten(?:t|cy)|same|similar(?:ly)?|agree(?:ment|d|s)?|align(?:ed|s)?|in line|unchanged|remain(?:ed|s)? (?:the same|consistent))\b", re.I)
INCONSISTENT = re.compile(r"\b(inconsisten(?:t|cy)|discrepanc(?:y|ies)|contradict\w*|disagree\w*|differ\w*|chang(?:e|ed|es)|shift\w*|contrast\w*)\b", re.I)


@dataclass(frozen=True)
class OutletMention:
    start: int
    end: int
    text: str
    sources: tuple[str, ...]  # the index outlets this mention can mean (several for "FOX News")


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    day: date
    relation: str  # on | before | after


@dataclass
class Claim:
    """One report's part of a question: what the outlet is said to report, and when."""

    text: str
    sources: tuple[str, ...]
    outlet: str
    day: date | None = None
    relation: str = "on"

    def window(self) -> tuple[datetime | None, datetime | None]:
        if self.day is None:
            return None, None
        start = datetime.combine(self.day, time.min, timezone.utc)
        if self.relation == "before":
            return None, start + timedelta(days=1)
        if self.relation == "after":
            return start, None
        return start - timedelta(days=1), start + timedelta(days=2)  # time zones shift a report's day by one


@dataclass
class QuestionPlan:
    text: str
    shape: str  # fact | inference | comparison | temporal
    yes_no: bool
    outlets: list[OutletMention] = field(default_factory=list)
    missing_outlets: list[str] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    order: str = ""  # before | after, when the question asks whether one report came before another
    stance: str = ""  # consistent | inconsistent, when it asks whether reports agree or changed
    labels: tuple[str, str] | None = None  # the answer words it offers ("consistent or inconsistent")

    @property
    def named_sources(self) -> set[str]:
        return {s for m in self.outlets for s in m.sources}

    def as_claims(self) -> "QuestionPlan":
        """Yes/no questions that do not split into reports become one claim, so they are judged, never guessed."""
        if self.yes_no and not self.decomposable:
            self.claims = [whole_question_claim(self)]
        return self

    @property
    def decomposable(self) -> bool:
        """Answered report by report: a yes/no about two or more reports, or about one story's reports over time."""
        return self.yes_no and (len(self.claims) >= 2 or (self.shape == "temporal" and bool(self.stance)))


def outlet_aliases(source: str) -> set[str]:
    """Ways a question may name an outlet: in full, without "The", without a " - section" or " | tagline"."""
    names = {source.strip()}
    core = re.split(r"\s+[-|–:]\s+", source.strip())[0]
    names.add(core)
    for name in list(names):
        names.add(re.sub(r"^the\s+", "", name, flags=re.I))
        names.add(re.sub(r"\.(com|org|net|co\.uk)$", "", name, flags=re.I))
    return {n for n in names if len(n) >= 3}


class OutletMatcher:
    """Finds the index's outlets in a question (longest name first; a capital letter must start the match)."""

    def __init__(self, sources: Iterable[str]):
        by_alias: dict[str, set[str]] = {}
        for source in sources:
            if source:
                for alias in outlet_aliases(source):
                    by_alias.setdefault(alias.lower(), set()).add(source)
        self.by_alias = {alias: tuple(sorted(found)) for alias, found in by_alias.items()}
        aliases = sorted(self.by_alias, key=len, reverse=True)
        self.pattern = re.compile(r"(?<![\w])(" + "|".join(re.escape(a) for a in aliases) + r")(?![\w])", re.I) if aliases else None

    def find(self, text: str) -> list[OutletMention]:
        if self.pattern is None:
            return []
        found = []
        for match in self.pattern.finditer(text):
            span = match.group(1)
            words = [w for w in re.findall(r"[A-Za-z][\w'.-]*", span) if w.lower() not in ("of", "and", "the")]
            if not words or not all(w[0].isupper() or not w[0].isalpha() for w in words):
                continue  # "the age of AI" is not The Age
            found.append(OutletMention(match.start(1), match.end(1), span, self.by_alias[span.lower()]))
        return found

    def knows(self, name: str) -> bool:
        return name.lower() in self.by_alias or any(name.lower() in alias or alias in name.lower()
                                                    for alias in self.by_alias if len(alias) >= 4)


def find_dates(text: str) -> list[DateMention]:
    found = []
    for match in DATE_TEXT.finditer(text):
        try:
            day = date_parser.parse(match.group(0).replace(",", " ")).date()
        except (ValueError, OverflowError):
            continue
        before = text[max(0, match.start() - 40):match.start()]
        relation_match = DATE_RELATION.search(before.replace(",", " ").rstrip() + " ")
        word = (relation_match.group(1).lower() if relation_match else "on")
        relation = {"before": "before", "prior to": "before", "after": "after", "since": "after",
                    "following": "after"}.get(word, "on")
        found.append(DateMention(match.start(), match.end(), day, relation))
    return found


def absent_outlets(text: str, mentions: list[OutletMention], matcher: OutletMatcher) -> list[str]:
    """Names used as a report's outlet ("a Reuters report", "according to Bloomberg") that the index lacks."""
    masked = list(text)
    for m in mentions:
        masked[m.start:m.end] = ["#"] * (m.end - m.start)
    masked_text = "".join(masked)
    missing = []
    for pattern in ABSENT_OUTLET_PATTERNS:
        for match in pattern.finditer(masked_text):
            name = match.group(1).strip("'\"‘’“” ")
            name = re.sub(r"['’]s$", "", name)
            words = name.split()
            while words and words[0].lower() in NOT_OUTLET_WORDS:
                words = words[1:]
            name = " ".join(words)
            if len(name) < 3 or "#" in name or not name[0].isupper() or matcher.knows(name) or re.fullmatch(MONTH, name.split()[0]):
                continue
            missing.append(name)
    return list(dict.fromkeys(missing))


CLAIM_LEAD = re.compile(
    r"^(?:(?:does|did|do|is|are|was|were|has|have)\s+)?(?:the\s+|an?\s+|both\s+)?(?:[\"'‘“]\s*)?#+(?:\s*[\"'’”])?"
    r"(?:['’]s)?\s*(?:(?:first|second|third|earlier|later|other)\s+)?(?:" + REPORT_WORD + r")?\s*", re.I)
CLAIM_VERBS = re.compile(r"^(?:(?:published|released|posted)\s+(?:on|in)\s+#+\s*,?\s*)?(?:in\s+its\s+#+\s*,?\s*" + REPORT_WORD
                         + r"\s*)?(?:(?:also|later|then|now|again)\s+)?(?:suggest|report|indicate|claim|state|say|mention|"
                         r"discuss|describe|imply|allege|highlight|focus|note|present|confirm|credit|attribute|portray|"
                         r"detail|reveal|argue|assert|acknowledge|explain)\w*\s+(?:on\s+|that\s+|about\s+|how\s+)?", re.I)
SPLIT_CONNECTIVE = re.compile(r"^[\s,;]*(?:(?:while|whereas|and|but|as well as|compared to|compared with|in contrast to|"
                              r"similarly to how|similar to|than|or)\b)?\s*(?:the\b\s*)?", re.I)
# two reports named as one subject ("the Harbor Ledger and the Coastal Times report ..."): only a joining word between
JOINED_SUBJECTS = re.compile(r"^[\s'\"’”]*(?:,|and|&|as well as)\s*(?:both\s+)?(?:the\s+)?[\s'\"‘“]*$", re.I)
TRAILING_CONNECTIVE = re.compile(r"[\s,;]*(?:while|whereas|and|but|as|compared to|compared with|in contrast to|than|or|"
                                 r"with|the|as reported by|reported by|according to|by|from|in|does|did|do)?[\s,;]*$", re.I)


MAIN_CLAUSE = re.compile(r",\s*(?:(?:was|were|is|are|did|does|do|has|have|had)\s+(?:there|the|their|it|this|both|any)\b|"
                         r"which\s+(?:news\s+)?(?:source|outlet|report|article))", re.I)
LABEL_PAIRS = [("consistent", "inconsistent"), ("agreement", "disagreement"), ("agree", "disagree"), ("similar", "different"),
               ("same", "different"), ("positive", "negative"), ("increase", "decrease"), ("true", "false")]


def answer_labels(text: str) -> tuple[str, str] | None:
    """The two words a question offers as its answer ("consistent or inconsistent"), affirming one first."""
    for first, second in LABEL_PAIRS:
        for a, b in ((first, second), (second, first)):
            if re.search(rf"\b{a}\b\s+or\s+\b{b}\b", text, re.I):
                return first, second
    return None


def split_claims(text: str, mentions: list[OutletMention], dates: list[DateMention]) -> list[Claim]:
    """One claim per outlet mention: the words from that mention up to the next one."""
    claims: list[Claim] = []
    pending: list[Claim] = []
    tail = MAIN_CLAUSE.search(text, mentions[min(1, len(mentions) - 1)].end) if mentions else None
    if tail:
        text = text[:tail.start()]
    masked = list(text)
    for d in dates:
        masked[d.start:d.end] = ["#"] * (d.end - d.start)
    for i, mention in enumerate(mentions):
        end = mentions[i + 1].start if i + 1 < len(mentions) else len(text)
        start = mention.start
        # the question words before the first mention belong to its claim ("Does the TechCrunch article ...")
        segment = "".join(masked[start:end])
        segment = "#" * (mention.end - mention.start) + segment[mention.end - mention.start:]
        body = CLAIM_LEAD.sub("", segment, count=1)
        body = CLAIM_VERBS.sub("", body, count=1)
        body = re.sub(r"\b(?:published|released|posted|dated)\s+(?:on|in|before|after)?\s*#+", " ", body)
        body = re.sub(r"#+", " ", body)
        body = re.sub(r"^\s*(?:on|about|regarding|concerning|discussing)\s+", "", body, flags=re.I)
        body = re.sub(r"\s+", " ", body)
        body = TRAILING_CONNECTIVE.sub("", body).strip(" ,;?.'\"‘’“”")
        body = TRAILING_CONNECTIVE.sub("", body).strip(" ,;?.'\"‘’“”")
        body = SPLIT_CONNECTIVE.sub("", body, count=1).strip(" ,;?.'\"‘’“”")
        own_dates = [d for d in dates if start <= d.start < end]
        claim = Claim(body, mention.sources, mention.text.strip("'\"‘’“”"))
        if own_dates:
            claim.day, claim.relation = own_dates[0].day, own_dates[0].relation
        if len(body.split()) < 2:
            # "Do X and Y report ...": X has no words of its own and shares the predicate that follows Y
            joined = i + 1 < len(mentions) and JOINED_SUBJECTS.match(text[mention.end:end])
            pending = pending + [claim] if joined else []
            continue
        for sharing in pending:
            sharing.text = body
            claims.append(sharing)
        pending = []
        claims.append(claim)
    return claims


def question_order(text: str, mentions: list[OutletMention]) -> str:
    """"before"/"after" when the question asks whether the first named report came before/after the next
    ("Did X report A before Y reported B?"), not when it only sets the scene ("After X reported A, did Y ...")."""
    if len(mentions) < 2 or not re.match(r"^\s*(?:did|was|were|has|had|is)\b", text, re.I):
        return ""
    between = text[mentions[0].end:mentions[1].start].lower()
    for phrase, order in ORDER_WORDS.items():
        if re.search(rf"\b{phrase}\b", between):
            return order
    return ""


def whole_question_claim(plan: QuestionPlan) -> Claim:
    """A yes/no question that names fewer than two reports is one claim: the question as a statement."""
    statement = re.sub(rf"^\s*(?:{AUXILIARY_PATTERN})\s+", "", plan.text, flags=re.I)
    statement = statement.rstrip(" ?")
    outlet = plan.outlets[0].text.strip("'\"‘’“”") if plan.outlets else ""
    day = plan.dates[0] if plan.dates else None
    return Claim(statement, tuple(sorted(plan.named_sources)), outlet, day.day if day else None, day.relation if day else "on")


def analyse(question: str, matcher: OutletMatcher) -> QuestionPlan:
    text = " ".join(question.split())
    mentions = matcher.find(text)
    dates = find_dates(text)
    yes_no = bool(YES_NO_START.match(text)) or bool(re.match(r"^\s*(?:between|after|before|following)\b[^?]*,\s*(?:is|are|was|were|did|does|do|has|have)\b", text, re.I))
    distinct = {m.sources for m in mentions}
    over_time = bool(re.match(r"^\s*(?:between|after|before|following)\b", text, re.I)) or bool(
        re.search(r"\b(?:chang\w*|shift\w*|remain\w*|consisten\w*|evolv\w*)\b[^?]*\bbetween\b|\b(?:before|after|earlier|later|subsequent\w*|prior to)\b[^?]*\b"
                  + REPORT_WORD + r"\b|\b" + REPORT_WORD + r"\b[^?]*\b(?:before|after|earlier|later|subsequent\w*|prior to)\b", text, re.I))
    if yes_no and (len(mentions) >= 2 or len(dates) >= 2 or over_time) and (dates or over_time):
        shape = "temporal"
    elif yes_no and len(mentions) >= 2:
        shape = "comparison"
    elif len(distinct) >= 1 and not yes_no and re.match(r"^\s*(?:which|who|what|whose)\b", text, re.I):
        shape = "inference"
    else:
        shape = "fact"
    plan = QuestionPlan(text, shape, yes_no, mentions, absent_outlets(text, mentions, matcher), dates)
    if yes_no and mentions:
        plan.claims = split_claims(text, mentions, dates)
        plan.order = question_order(text, mentions) if shape == "temporal" else ""
    plan.labels = answer_labels(text) if yes_no else None
    if yes_no:
        inconsistent, consistent = INCONSISTENT.search(text), CONSISTENT.search(text)
        if inconsistent and re.search(r"\b(?:no|not|any)\s+(?:\w+\s+)?$", text[:inconsistent.start()], re.I):
            plan.stance = "consistent"  # "was there no change" asks whether the reports agree
        elif inconsistent and (not consistent or inconsistent.start() < consistent.start()):
            plan.stance = "inconsistent"
        elif consistent:
            plan.stance = "consistent"
    return plan

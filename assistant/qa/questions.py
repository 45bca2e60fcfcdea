"""Question analysis: the question's shape, the outlets and dates it names, and its claims.

A question is one of: a single fact; an entity that several named outlets report (inference);
a yes/no comparison of outlets' claims; a temporal yes/no about dated reports. Comparison and
temporal questions are split into one claim per named report, so each claim can be retrieved
within its own outlet and dates, judged on its own passages, and the yes/no composed in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from dateutil import parser as date_parser

from assistant.language import (AUXILIARY_PATTERN, BE_FORMS, DO_FORMS, HAVE_FORMS, MONTH_NAME_PATTERN,
                                PRESENT_HAVE, REPORT_WORD_PATTERN, alternation, auxiliary_subset)
from assistant.retrieval.outlets import OutletMatcher, OutletMention

# --- the question's opening: yes/no, set in time, asking which ----------------------------------------
YES_NO_START = re.compile(rf"^\s*(?:{AUXILIARY_PATTERN})\b", re.I)
STATEMENT_LEAD = re.compile(rf"^\s*(?:{AUXILIARY_PATTERN})\s+", re.I)  # cut to read the question as a statement
CLAUSE_AUXILIARY = alternation(BE_FORMS + DO_FORMS + PRESENT_HAVE)
# "After X reported A, did Y ...?": a clause that sets the scene in time, then the yes/no question
SCENE_CLAUSE = r"^\s*(?:between|after|before|following)\b"
SCENE_START = re.compile(SCENE_CLAUSE, re.I)
YES_NO_AFTER_SCENE = re.compile(SCENE_CLAUSE + rf"[^?]*,\s*(?:{CLAUSE_AUXILIARY})\b", re.I)
INFERENCE_START = re.compile(r"^\s*(?:which|who|what|whose)\b", re.I)
ORDER_QUESTION_START = re.compile(rf"^\s*(?:{alternation(auxiliary_subset('did was were has had is'))})\b", re.I)

# --- reports over time: a change between reports, or a report before/after another ------------------
SEQUENCE_WORD = r"(?:before|after|earlier|later|subsequent\w*|prior to)"
REPORT_WORD = REPORT_WORD_PATTERN
OVER_TIME = re.compile(r"\b(?:chang\w*|shift\w*|remain\w*|consisten\w*|evolv\w*)\b[^?]*\bbetween\b"
                       rf"|\b{SEQUENCE_WORD}\b[^?]*\b{REPORT_WORD}\b|\b{REPORT_WORD}\b[^?]*\b{SEQUENCE_WORD}\b", re.I)
ORDER_WORDS = {"before": "before", "prior to": "before", "earlier than": "before", "after": "after",
               "following": "after", "subsequent": "after", "later than": "after"}
ORDER_PHRASES = tuple((re.compile(rf"\b{phrase}\b"), order) for phrase, order in ORDER_WORDS.items())  # on lowered text

# --- dates the question names ------------------------------------------------------------------------
MONTH = MONTH_NAME_PATTERN
MONTH_WORD = re.compile(MONTH)
DATE_TEXT = re.compile(rf"\b(?:{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{MONTH}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})\b")
DATE_RELATION = re.compile(r"\b(before|prior to|after|since|following|by|on|from)\s+(?:the\s+)?$", re.I)
RELATION_OF_WORD = {"before": "before", "prior to": "before", "after": "after", "since": "after", "following": "after"}

# --- outlets named as a report's source that the index may lack --------------------------------------
NAME = r"['\"‘“]?[A-Z][\w.&'’-]*(?:\s+(?:of\s+|the\s+|and\s+|&\s+)?[A-Z][\w.&'’-]*)*['\"’”]?"
ABSENT_OUTLET_PATTERNS = [
    re.compile(rf"\b{REPORT_WORD}\s+(?:from|by|in|published by|published in)\s+(?:the\s+|an?\s+)?({NAME})"),
    re.compile(rf"(?:\b(?:an?|the|from|by|in|and)\s+)({NAME})(?:['’]s)?\s+{REPORT_WORD}\b"),
    re.compile(rf"\b(?:according to|as reported by|reported by|published by)\s+(?:the\s+|an?\s+)?({NAME})"),
]
NOT_OUTLET_WORDS = frozenset("considering based between after before which what who how the a an "
                             "first second third another other both same recent latest earlier later".split()
                             ) | frozenset(DO_FORMS + BE_FORMS)
POSSESSIVE = re.compile(r"['’]s$")
QUOTE_MARKS = "'\"‘’“”"
CLAIM_EDGE = " ,;?." + QUOTE_MARKS  # stripped from both ends of a claim

# --- whether the reports agree ---------------------------------------------------------------------
CONSISTENT = re.compile(r"\b(consisten(?:t|cy)|same|similar(?:ly)?|agree(?:ment|d|s)?|align(?:ed|s)?|in line|unchanged|remain(?:ed|s)? (?:the same|consistent))\b", re.I)
INCONSISTENT = re.compile(r"\b(inconsisten(?:t|cy)|discrepanc(?:y|ies)|contradict\w*|disagree\w*|differ\w*|chang(?:e|ed|es)|shift\w*|contrast\w*)\b", re.I)
NEGATED_BEFORE = re.compile(r"\b(?:no|not|any)\s+(?:\w+\s+)?$", re.I)  # "was there no change": asks whether they agree
LABEL_PAIRS = [("consistent", "inconsistent"), ("agreement", "disagreement"), ("agree", "disagree"), ("similar", "different"),
               ("same", "different"), ("positive", "negative"), ("increase", "decrease"), ("true", "false")]
# Each pair with the patterns that offer it, in either order ("consistent or inconsistent", "inconsistent or consistent").
LABEL_OFFERS = tuple(((first, second), tuple(re.compile(rf"\b{a}\b\s+or\s+\b{b}\b", re.I)
                                             for a, b in ((first, second), (second, first))))
                     for first, second in LABEL_PAIRS)


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
        relation = RELATION_OF_WORD.get(word, "on")
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
            name = POSSESSIVE.sub("", match.group(1).strip(QUOTE_MARKS + " "))
            words = name.split()
            while words and words[0].lower() in NOT_OUTLET_WORDS:
                words = words[1:]
            name = " ".join(words)
            if len(name) < 3 or "#" in name or not name[0].isupper() or matcher.knows(name) or MONTH_WORD.fullmatch(name.split()[0]):
                continue
            missing.append(name)
    return list(dict.fromkeys(missing))


# --- one claim per named report: what to cut from the words between two mentions ----------------------
CLAIM_LEAD = re.compile(
    rf"^(?:(?:{CLAUSE_AUXILIARY})\s+)?(?:the\s+|an?\s+|both\s+)?(?:[\"'‘“]\s*)?#+(?:\s*[\"'’”])?"
    r"(?:['’]s)?\s*(?:(?:first|second|third|earlier|later|other)\s+)?(?:" + REPORT_WORD + r")?\s*", re.I)
CLAIM_VERBS = re.compile(r"^(?:(?:published|released|posted)\s+(?:on|in)\s+#+\s*,?\s*)?(?:in\s+its\s+#+\s*,?\s*" + REPORT_WORD
                         + r"\s*)?(?:(?:also|later|then|now|again)\s+)?(?:suggest|report|indicate|claim|state|say|mention|"
                         r"discuss|describe|imply|allege|highlight|focus|note|present|confirm|credit|attribute|portray|"
                         r"detail|reveal|argue|assert|acknowledge|explain)\w*\s+(?:on\s+|that\s+|about\s+|how\s+)?", re.I)
PUBLISHED_ON_DATE = re.compile(r"\b(?:published|released|posted|dated)\s+(?:on|in|before|after)?\s*#+")
MASKED = re.compile(r"#+")  # a masked date or outlet
TOPIC_LEAD = re.compile(r"^\s*(?:on|about|regarding|concerning|discussing)\s+", re.I)
SPACES = re.compile(r"\s+")
SPLIT_CONNECTIVE = re.compile(r"^[\s,;]*(?:(?:while|whereas|and|but|as well as|compared to|compared with|in contrast to|"
                              r"similarly to how|similar to|than|or)\b)?\s*(?:the\b\s*)?", re.I)
# two reports named as one subject ("the Harbor Ledger and the Coastal Times report ..."): only a joining word between
JOINED_SUBJECTS = re.compile(r"^[\s'\"’”]*(?:,|and|&|as well as)\s*(?:both\s+)?(?:the\s+)?[\s'\"‘“]*$", re.I)
TRAILING_CONNECTIVE = re.compile(r"[\s,;]*(?:while|whereas|and|but|as|compared to|compared with|in contrast to|than|or|"
                                 r"with|the|as reported by|reported by|according to|by|from|in|"
                                 + alternation(DO_FORMS) + r")?[\s,;]*$", re.I)
# where the claims end and the question's own clause begins (", was there ...", ", which outlet ...")
MAIN_CLAUSE = re.compile(r",\s*(?:(?:" + alternation(BE_FORMS + DO_FORMS + HAVE_FORMS)
                         + r")\s+(?:there|the|their|it|this|both|any)\b|which\s+(?:news\s+)?(?:source|outlet|report|article))",
                         re.I)


def answer_labels(text: str) -> tuple[str, str] | None:
    """The two words a question offers as its answer ("consistent or inconsistent"), affirming one first."""
    for pair, offers in LABEL_OFFERS:
        if any(offer.search(text) for offer in offers):
            return pair
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
        body = PUBLISHED_ON_DATE.sub(" ", body)
        body = MASKED.sub(" ", body)
        body = TOPIC_LEAD.sub("", body)
        body = SPACES.sub(" ", body)
        body = TRAILING_CONNECTIVE.sub("", body).strip(CLAIM_EDGE)
        body = TRAILING_CONNECTIVE.sub("", body).strip(CLAIM_EDGE)
        body = SPLIT_CONNECTIVE.sub("", body, count=1).strip(CLAIM_EDGE)
        own_dates = [d for d in dates if start <= d.start < end]
        claim = Claim(body, mention.sources, mention.text.strip(QUOTE_MARKS))
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
    if len(mentions) < 2 or not ORDER_QUESTION_START.match(text):
        return ""
    between = text[mentions[0].end:mentions[1].start].lower()
    for phrase, order in ORDER_PHRASES:
        if phrase.search(between):
            return order
    return ""


def whole_question_claim(plan: QuestionPlan) -> Claim:
    """A yes/no question that names fewer than two reports is one claim: the question as a statement."""
    statement = STATEMENT_LEAD.sub("", plan.text)
    statement = statement.rstrip(" ?")
    outlet = plan.outlets[0].text.strip(QUOTE_MARKS) if plan.outlets else ""
    day = plan.dates[0] if plan.dates else None
    return Claim(statement, tuple(sorted(plan.named_sources)), outlet, day.day if day else None, day.relation if day else "on")


def analyse(question: str, matcher: OutletMatcher) -> QuestionPlan:
    text = " ".join(question.split())
    mentions = matcher.find(text)
    dates = find_dates(text)
    yes_no = bool(YES_NO_START.match(text)) or bool(YES_NO_AFTER_SCENE.match(text))
    distinct = {m.sources for m in mentions}
    over_time = bool(SCENE_START.match(text)) or bool(OVER_TIME.search(text))
    if yes_no and (len(mentions) >= 2 or len(dates) >= 2 or over_time) and (dates or over_time):
        shape = "temporal"
    elif yes_no and len(mentions) >= 2:
        shape = "comparison"
    elif len(distinct) >= 1 and not yes_no and INFERENCE_START.match(text):
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
        if inconsistent and NEGATED_BEFORE.search(text[:inconsistent.start()]):
            plan.stance = "consistent"  # "was there no change" asks whether the reports agree
        elif inconsistent and (not consistent or inconsistent.start() < consistent.start()):
            plan.stance = "inconsistent"
        elif consistent:
            plan.stance = "consistent"
    return plan

"""The words and patterns the rules use, as named tables in one place (the ground floor: imports nothing).

Rules elsewhere build their regular expressions from these tables, so a word added here reaches
every rule that needs it (question shape, claims, refusals, perturbations, answer types, the verifier).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable


def alternation(words: Iterable[str]) -> str:
    """The words as one regex alternation ("is|are|was"), in the order given."""
    return "|".join(words)


# --- auxiliary verbs -------------------------------------------------------------------------------
# The one table of auxiliaries that open a yes/no question ("Did ...?", "Is ...?") or carry a negation
# ("did not"), by verb; the rules that want only some of them compose these groups.
BE_FORMS = ("is", "are", "was", "were")
DO_FORMS = ("do", "does", "did")
PRESENT_HAVE = ("has", "have")
HAVE_FORMS = PRESENT_HAVE + ("had",)
MODAL_FORMS = ("can", "could", "will", "would", "should")
AUXILIARIES = BE_FORMS + DO_FORMS + HAVE_FORMS + MODAL_FORMS
AUXILIARY_PATTERN = alternation(AUXILIARIES)
# Modals that hedge a statement but do not open a question here.
MODALS = ("may", "might")


def auxiliary_subset(words: str) -> tuple[str, ...]:
    """A named selection from AUXILIARIES (space-separated, order kept); a word outside the table is an error."""
    chosen = tuple(words.split())
    unknown = [w for w in chosen if w not in AUXILIARIES]
    if unknown:
        raise ValueError(f"not auxiliaries: {unknown}")
    return chosen


# --- calendar --------------------------------------------------------------------------------------
# Month names from the standard library, full and abbreviated, lower case -> month number.
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_LONGEST_FIRST = sorted(MONTHS, key=len, reverse=True)  # so "september" is tried before "sep"
MONTH_PATTERN = alternation(_LONGEST_FIRST)  # lower case: for lowered text or re.I
# A month as running text writes it, capitalised ("Jan", "Sept", "December"): a case-sensitive group.
MONTH_NAME_PATTERN = "(?:" + alternation(name.capitalize() for name in _LONGEST_FIRST) + ")"
MONTH_ABBREVIATIONS = tuple(name.lower() for name in calendar.month_abbr if name)
# A month's abbreviation and whatever letters follow it ("Jan", "Janu", "January"): lower case, and capitalised.
MONTH_PREFIX_PATTERN = "(?:" + alternation(MONTH_ABBREVIATIONS) + ")[a-z]*"
CAPITALISED_MONTH_PREFIX_PATTERN = "(?:" + alternation(a.capitalize() for a in MONTH_ABBREVIATIONS) + ")[a-z]*"
WEEKDAYS = tuple(name.lower() for name in calendar.day_name)
# Capitalised words that are dates, never names: the weekdays and the full month names.
CALENDAR_WORDS = frozenset(WEEKDAYS) | frozenset(name.lower() for name in calendar.month_name if name)

# --- reporting -------------------------------------------------------------------------------------
# Words for a piece of reporting ("the TechCrunch article", "a Reuters report").
REPORT_WORDS = ("article", "report", "piece", "story", "analysis", "coverage", "op-ed", "review")
REPORT_WORD_PATTERN = r"(?:" + alternation(REPORT_WORDS) + r")s?"

# --- negation and opposites (the verifier) ---------------------------------------------------------
NEGATIONS = frozenset("not no never none nobody nothing neither nor without cannot n't denied denies deny".split())
# Pairs a sentence may turn into each other while keeping every other word of the source.
OPPOSITES = {
    "increase": "decrease", "rise": "fall", "win": "lose", "approve": "reject", "hire": "fire", "buy": "sell",
    "open": "close", "before": "after", "more": "fewer", "higher": "lower", "gain": "loss", "support": "oppose",
    "accept": "refuse", "join": "leave", "raise": "cut", "first": "last", "largest": "smallest", "start": "end",
    "allow": "ban", "up": "down", "profit": "loss", "above": "below", "best": "worst", "success": "failure",
    "confirm": "deny", "guilty": "innocent", "former": "current", "old": "new", "early": "late", "add": "remove",
}
# Past forms the stemmer does not bring back to the verb the opposites list.
IRREGULAR_VERBS = {"won": "win", "lost": "lose", "rose": "rise", "fell": "fall", "bought": "buy", "sold": "sell",
                   "left": "leave", "began": "start", "ended": "end", "denied": "deny"}
# Words that mark an office-holder as no longer (or not fully) in office, and the offices they qualify.
QUALIFIERS = r"former|ex-|ousted|late|acting|interim|outgoing|deposed|retired"
TITLES = r"president|prime minister|minister|chancellor|ceo|chief executive|chairman|chair|mayor|governor|senator|" \
         r"director|coach|manager|king|queen|leader|secretary|speaker|commander"

"""The words and patterns the rules use, as named tables in one place (the ground floor: imports nothing).

Rules elsewhere build their regular expressions from these tables, so a word added here reaches
every rule that needs it (question shape, claims, refusals, perturbations, answer types).
"""

from __future__ import annotations

import calendar

# Auxiliary verbs that open a yes/no question ("Did ...?", "Is ...?") or carry a negation ("did not").
AUXILIARIES = ("is", "are", "was", "were", "do", "does", "did", "has", "have", "had", "can", "could", "will", "would",
               "should")
MODALS = ("may", "might")
AUXILIARY_PATTERN = "|".join(AUXILIARIES)

# Month names from the standard library, full and abbreviated, lower case -> month number.
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
# Longest first, so "september" is tried before "sep".
MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
WEEKDAYS = tuple(name.lower() for name in calendar.day_name)

# Words for a piece of reporting ("the TechCrunch article", "a Reuters report").
REPORT_WORDS = ("article", "report", "piece", "story", "analysis", "coverage", "op-ed", "review")
REPORT_WORD_PATTERN = r"(?:" + "|".join(REPORT_WORDS) + r")s?"

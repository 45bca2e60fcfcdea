"""How claims are worded: the quotation a sentence carries, and the name of each quantity a figure counts.

Shared by the claim reader (claims.py) and the ledger (ledger.py), which compares quotations and names figures.
"""

from __future__ import annotations

import re

# How a quantity is named in a sentence of the briefing ("the toll was revised from 12 to 19").
QUANTITY_LABELS = {"deaths": "the death toll", "injuries": "the number injured", "missing": "the number missing",
                   "evacuated": "the number evacuated", "jobs": "the number of jobs", "workers": "the number of workers",
                   "votes": "the vote count", "homes": "the number of homes", "rainfall": "the rainfall",
                   "percent": "the percentage", "money": "the amount"}
QUOTE = re.compile(r"[“\"]([^”\"]{15,})[”\"]")


def quoted(text: str) -> str:
    """The words inside the sentence's first quotation, normalised for comparison ("" when none)."""
    match = QUOTE.search(text)
    return " ".join(re.findall(r"\w+", match.group(1).lower())) if match else ""

"""Summaries people ask for: one article, one topic over time (the day briefing lives in assistant.briefing)."""

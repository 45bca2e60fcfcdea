"""Grounding: does a passage support a sentence. Used by answers, summaries and briefings alike."""

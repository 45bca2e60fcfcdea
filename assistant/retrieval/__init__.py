"""Retrieval: hybrid dense + BM25 search with time-aware ranking over the stored chunks."""

"""Retrieval: hybrid dense + BM25 search with time-aware ranking over the stored chunks.

Other rooms ask for it through protocol.Retriever (search, outlets, vocabulary, stems); outlets.OutletMatcher
is the one way outlet names are found in a question, by question analysis and by the outlet boost alike.
"""

"""Fusion and the outlet rerank: weighted reciprocal rank fusion, one leader per named outlet."""

from __future__ import annotations

import pytest

from assistant.retrieval.hybrid import boost_outlets, reciprocal_rank_fusion


def test_weighted_reciprocal_rank_fusion():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "b"]], k=20, weights=[0.2, 1.0])
    assert [cid for cid, _ in fused] == ["c", "b", "a"]
    assert fused[0][1] == pytest.approx(0.2 / 23 + 1 / 21)


def test_outlet_rerank_leads_with_the_best_chunk_of_each_named_outlet():
    sources = {"a": "X", "b": "X", "c": "Y", "d": "Z"}
    fused = [("a", 1.0), ("b", 0.9), ("d", 0.8), ("c", 0.1)]
    one = boost_outlets(fused, {"Y"}, sources.get, 0.5)
    assert [cid for cid, _ in one][:2] == ["a", "b"] and dict(one)["c"] == pytest.approx(0.15)
    two = boost_outlets(fused, {"X", "Y"}, sources.get, 0.5)
    assert [cid for cid, _ in two][:2] == ["a", "c"]  # one leader per named outlet, best first
    assert boost_outlets(fused, set(), sources.get, 0.5) == fused

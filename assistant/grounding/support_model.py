"""A learned support judgement: a logistic model over features that read more than word overlap.

Word coverage alone passes any sentence built from the source's words whatever it asserts, so
the features also ask whether the sentence's word *pairs* occur in the few source sentences it
aligns with (a name taken from elsewhere in the article breaks its pairs), how close in meaning
it is to its best source sentences, whether it repeats itself (a degenerate summary) and whether
it gives a figure the source lacks. The weights are trained on human labels (FRANK's validation
split, grouped by article) by `assistant train-verifier` and shipped in support_weights.json; the
figures behind them are in docs/verifier.md.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from assistant.language import STOPWORDS, content_words, stem, words

ALIGNED_SENTENCES = 3  # how many of the source's sentences a claim is read against (its best matches)
JUDGED_SENTENCES = 4  # source sentences the chat-model judge reads per claim (its best matches, in article order)
FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")
FEATURES = ("meaning_best", "meaning_top", "cover_all", "cover_aligned", "novel_pairs_all", "novel_pairs_aligned",
            "novel_words", "repeats", "figure_missing", "length")


def tokens(text: str) -> list[str]:
    return [w for w in words(text.lower()) if w]


def pairs(sequence: Sequence[str]) -> set[tuple[str, str]]:
    return {(sequence[i], sequence[i + 1]) for i in range(len(sequence) - 1)}


def support_features(sentence: str, source_sentences: Sequence[str], similarities: np.ndarray) -> dict[str, float]:
    """The features of one sentence against its source (all its sentences, with their cosine to the sentence)."""
    if not source_sentences:
        return {name: 0.0 for name in FEATURES}
    order = np.argsort(-np.asarray(similarities, dtype=np.float32))
    aligned = " ".join(source_sentences[i] for i in order[:ALIGNED_SENTENCES])
    source = " ".join(source_sentences)
    own_tokens, source_tokens, aligned_tokens = tokens(sentence), tokens(source), tokens(aligned)
    own_words, source_words, aligned_words = content_words(sentence), content_words(source), content_words(aligned)
    own_pairs = pairs(own_tokens)
    content = [w for w in own_tokens if w not in STOPWORDS and len(w) > 2]
    source_figures = {f.replace(",", "").rstrip(".") for f in FIGURE.findall(source)}
    return {
        "meaning_best": float(similarities[order[0]]),
        "meaning_top": float(np.mean(np.asarray(similarities)[order[:ALIGNED_SENTENCES]])),
        "cover_all": len(own_words & source_words) / max(1, len(own_words)),
        "cover_aligned": len(own_words & aligned_words) / max(1, len(own_words)),
        "novel_pairs_all": len(own_pairs - pairs(source_tokens)) / max(1, len(own_pairs)),
        "novel_pairs_aligned": len(own_pairs - pairs(aligned_tokens)) / max(1, len(own_pairs)),
        "novel_words": len({stem(w) for w in content} - source_words) / max(1, len({stem(w) for w in content})),
        "repeats": 1 - len(set(content)) / max(1, len(content)),
        "figure_missing": float(any(f.replace(",", "").rstrip(".") not in source_figures for f in FIGURE.findall(sentence))),
        "length": min(len(own_tokens), 60) / 60,
    }


@dataclass(frozen=True)
class SupportModel:
    """Standardise, weigh, squash: P(supported) from the features."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    thresholds: dict  # "supported" and "weak": the two cut points of the three states (chosen on dev labels)
    names: tuple[str, ...] = FEATURES  # FEATURES, and "judge" (the chat model's P(Yes)) when trained with it

    @property
    def needs_judge(self) -> bool:
        return "judge" in self.names

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(w * (features[name] - m) / s for name, w, m, s
                            in zip(self.names, self.weights, self.mean, self.scale))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict:
        return {"features": list(self.names), "mean": list(self.mean), "scale": list(self.scale),
                "weights": list(self.weights), "bias": self.bias, "thresholds": self.thresholds}

    @classmethod
    def from_json(cls, data: dict) -> "SupportModel":
        names = tuple(data["features"])
        if set(names) - set(FEATURES) - {"judge"}:
            raise ValueError("support_weights.json was trained on other features; run `assistant train-verifier`")
        return cls(tuple(data["mean"]), tuple(data["scale"]), tuple(data["weights"]), float(data["bias"]),
                   dict(data["thresholds"]), names)


# The shipped weights: the features alone (cheap, every check), and with the chat-model judge (verify --judge).
WEIGHT_FILES = {"features": "support_weights.json", "judge": "support_weights_judge.json"}


@lru_cache(maxsize=2)
def shipped_model(kind: str = "features") -> SupportModel | None:
    """The model shipped with the package (None before the first `assistant train-verifier`)."""
    try:
        text = resources.files("assistant.grounding").joinpath(WEIGHT_FILES[kind]).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    return SupportModel.from_json(json.loads(text))


def weights_path(kind: str):
    """Where `assistant train-verifier` writes the shipped weights (inside the package)."""
    from pathlib import Path
    return Path(__file__).resolve().parent / WEIGHT_FILES[kind]

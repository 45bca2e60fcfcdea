"""Train and measure the learned support judgement on human labels (FRANK) beside the team's own sets.

FRANK's summaries are judged by people, sentence by sentence; a summary is factual when every
sentence is. Each summary becomes the features of its weakest sentence (the one the model trusts
least, feature by feature), so one row = one human judgement. The figure of record is grouped
cross-validation by article (no article's summaries are both trained on and scored), per dataset
(CNN/DM, XSum): balanced accuracy at the shipped threshold, ROC-AUC, faithful kept, and the share
caught per error type. The shipped weights are then fitted on every row.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from assistant.grounding.text import detokenize
from assistant.grounding.support_model import FEATURES, JUDGED_SENTENCES, SupportModel, support_features
from assistant.sentences import split_sentences

# Features where a higher value means better support; for the others a higher value means worse.
HIGHER_IS_BETTER = frozenset({"meaning_best", "meaning_top", "cover_all", "cover_aligned"})
FOLDS = 5


@dataclass
class LabelledSummary:
    id: str
    dataset: str
    article_key: str
    sentences: list[str]
    source_sentences: list[str]
    factual: bool
    error_types: list[str] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)
    aligned: list[str] = field(default_factory=list)  # per sentence: its best source sentences, in article order
    judged: list[float] = field(default_factory=list)  # per sentence: the judge's P(Yes) against `aligned`


def summary_sentences(summary: str) -> list[str]:
    """Sentences of a summary that may be all lower case (so a capital cannot mark a new sentence)."""
    parts = re.split(r"(?<=[.!?])\s+(?=\S)", detokenize(summary.strip()))
    return [p for p in parts if len(p) > 3] or [summary.strip()]


def load_frank(path: Path) -> list[LabelledSummary]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        rows.append(LabelledSummary(row["id"], row["dataset"], row["article"][:200], summary_sentences(row["summary"]),
                                    [s for s in split_sentences(row["article"]) if len(s) > 3], bool(row["factual"]),
                                    list(row.get("error_types") or [])))
    return rows


def weakest(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    """Feature by feature, the worst value over a summary's sentences."""
    return {name: (min if name in HIGHER_IS_BETTER else max)(r[name] for r in rows) for name in FEATURES}


def add_features(summaries: Sequence[LabelledSummary], encode: Callable[[list[str]], np.ndarray],
                 progress: bool = True) -> None:
    """Embed each article once and each summary's sentences, then compute the features."""
    by_article: dict[str, np.ndarray] = {}
    for summary in tqdm(summaries, desc="Features", unit="summary", disable=not progress):
        if summary.article_key not in by_article:
            by_article[summary.article_key] = encode(summary.source_sentences)
        source_vectors = by_article[summary.article_key]
        vectors = encode(summary.sentences)
        similarities = [source_vectors @ v for v in vectors]
        per_sentence = [support_features(s, summary.source_sentences, sims) for s, sims in zip(summary.sentences, similarities)]
        summary.features = weakest(per_sentence)
        summary.aligned = [" ".join(summary.source_sentences[i] for i in sorted(np.argsort(-sims)[:JUDGED_SENTENCES]))
                           for sims in similarities]


def add_judge(summaries: Sequence[LabelledSummary], judge, cache: Path | None = None, progress: bool = True) -> None:
    """The chat model's P(Yes) for each sentence against its aligned source sentences; the weakest per summary.
    Scores are kept in `cache` (JSON by summary id), since the whole of FRANK takes most of an hour on 2 cores."""
    stored = json.loads(cache.read_text()) if cache and cache.is_file() else {}
    for number, summary in enumerate(tqdm(summaries, desc="Judge", unit="summary", disable=not progress)):
        if summary.id not in stored:
            stored[summary.id] = [judge.score(s, a) for s, a in zip(summary.sentences, summary.aligned)]
            if cache and number % 20 == 0:
                cache.write_text(json.dumps(stored))
        summary.features["judge"] = min(stored[summary.id])
        summary.judged = stored[summary.id]
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(stored))


# With the chat-model judge, its P(Yes) alone: the word features added to it lowered XSum's balanced accuracy in
# cross-validation (0.70 -> 0.66 to 0.68; docs/verifier.md), so the judged model reads the judge only.
JUDGED_MODEL_FEATURES = ("judge",)


def feature_names(summaries: Sequence[LabelledSummary]) -> tuple[str, ...]:
    return JUDGED_MODEL_FEATURES if summaries and all("judge" in s.features for s in summaries) else FEATURES


def matrix(summaries: Sequence[LabelledSummary]) -> tuple[np.ndarray, np.ndarray]:
    names = feature_names(summaries)
    x = np.array([[s.features[name] for name in names] for s in summaries], dtype=np.float64)
    y = np.array([s.factual for s in summaries], dtype=np.int64)
    return x, y


def fit(x: np.ndarray, y: np.ndarray, names: tuple[str, ...] = FEATURES, thresholds: dict | None = None) -> SupportModel:
    from sklearn.linear_model import LogisticRegression
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000).fit((x - mean) / scale, y)
    return SupportModel(tuple(mean), tuple(scale), tuple(model.coef_[0]), float(model.intercept_[0]),
                        thresholds or {"supported": 0.5, "weak": 0.3}, names)


def cross_validated(summaries: Sequence[LabelledSummary]) -> np.ndarray:
    """P(factual) for every summary from a model that never saw its article."""
    from sklearn.model_selection import GroupKFold
    x, y = matrix(summaries)
    names = feature_names(summaries)
    groups = [s.article_key for s in summaries]
    predicted = np.zeros(len(summaries))
    for train, test in GroupKFold(FOLDS).split(x, y, groups):
        model = fit(x[train], y[train], names)
        predicted[test] = [model.probability(dict(zip(names, row))) for row in x[test]]
    return predicted


def trained(summaries: Sequence[LabelledSummary], scores: np.ndarray) -> SupportModel:
    """The model fitted on every summary, with the two cut points chosen on the cross-validated scores."""
    x, y = matrix(summaries)
    cuts = {"supported": round(choose_threshold(summaries, scores), 3), "weak": round(weak_threshold(summaries, scores), 3)}
    cuts["weak"] = min(cuts["weak"], cuts["supported"])
    return fit(x, y, feature_names(summaries), cuts)


def balanced_accuracy(factual: Sequence[bool], said_factual: Sequence[bool]) -> tuple[float, float, float]:
    """(balanced accuracy, faithful kept, unfaithful caught)."""
    kept = [s for f, s in zip(factual, said_factual) if f]
    caught = [not s for f, s in zip(factual, said_factual) if not f]
    keep = sum(kept) / len(kept) if kept else 0.0
    catch = sum(caught) / len(caught) if caught else 0.0
    return 0.5 * (keep + catch), keep, catch


def choose_threshold(summaries: Sequence[LabelledSummary], scores: np.ndarray) -> float:
    """The cut that maximises the mean of the datasets' balanced accuracies (each dataset counts alike)."""
    datasets = sorted({s.dataset for s in summaries})
    best, best_value = 0.5, -1.0
    for cut in np.linspace(0.05, 0.95, 91):
        value = np.mean([balanced_accuracy([s.factual for s in summaries if s.dataset == d],
                                           [score >= cut for s, score in zip(summaries, scores) if s.dataset == d])[0]
                         for d in datasets])
        if value > best_value:
            best, best_value = float(cut), float(value)
    return best


def weak_threshold(summaries: Sequence[LabelledSummary], scores: np.ndarray, keep: float = 0.95) -> float:
    """Below this, "not supported" with confidence: the cut that still keeps `keep` of the faithful summaries."""
    faithful = sorted(score for s, score in zip(summaries, scores) if s.factual)
    return float(faithful[int((1 - keep) * len(faithful))]) if faithful else 0.3


def report(summaries: Sequence[LabelledSummary], scores: np.ndarray, threshold: float) -> dict[str, float]:
    from sklearn.metrics import roc_auc_score
    out: dict[str, float] = {"threshold": round(threshold, 3)}
    for dataset in sorted({s.dataset for s in summaries}):
        rows = [(s, score) for s, score in zip(summaries, scores) if s.dataset == dataset]
        factual = [s.factual for s, _ in rows]
        balanced, keep, catch = balanced_accuracy(factual, [score >= threshold for _, score in rows])
        out[f"frank.{dataset}.balanced_accuracy"] = round(balanced, 4)
        out[f"frank.{dataset}.faithful_kept"] = round(keep, 4)
        out[f"frank.{dataset}.unfaithful_caught"] = round(catch, 4)
        out[f"frank.{dataset}.roc_auc"] = round(float(roc_auc_score(factual, [score for _, score in rows])), 4)
        out[f"frank.{dataset}.summaries"] = len(rows)
    everything = [s.factual for s in summaries]
    out["frank.roc_auc"] = round(float(roc_auc_score(everything, scores)), 4)
    out["frank.faithful_kept"] = round(balanced_accuracy(everything, [x >= threshold for x in scores])[1], 4)
    caught: dict[str, list[bool]] = defaultdict(list)
    for s, score in zip(summaries, scores):
        for kind in set(s.error_types):
            if not s.factual:
                caught[kind].append(score < threshold)
    out.update({f"frank.caught.{kind}": round(sum(v) / len(v), 4) for kind, v in sorted(caught.items())})
    return out


def rules_scores(summaries: Sequence[LabelledSummary], encode, threshold: float, progress: bool = True,
                 judge=None, model="shipped") -> np.ndarray:
    """The check as `assistant verify` runs it (every sentence citing the whole article): the weakest
    sentence's support score per summary. With `judge` (and `model`), the product's judged check: the hard
    checks first, then the judged model's probability."""
    from assistant.grounding.citations import check_answer
    from assistant.records import Passage
    scores = []
    for summary in tqdm(summaries, desc="Rules", unit="summary", disable=not progress):
        article = " ".join(summary.source_sentences)
        passage = Passage("article", "article", "", "", "", "", 0, len(article), article)
        text = " ".join(s.rstrip(" .") + " [1]." for s in summary.sentences)
        checked = check_answer(text, [passage], encode, threshold, repair=False, judge=judge,
                               model=model if judge is not None else None)
        scores.append(min((s.support for s in checked.sentences), default=0.0))
    return np.array(scores)


def frank_figures(path: Path, encode, judge=None, cache: Path | None = None, every: int = 1,
                  rules_threshold: float | None = None, progress: bool = True,
                  shipped: SupportModel | None = None) -> tuple[dict, list[LabelledSummary], np.ndarray]:
    """FRANK's figures for the learned check (grouped cross-validation), and for the rules beside it.

    `every` keeps every n-th article (all its summaries), for a shorter run in CI."""
    summaries = load_frank(path)
    if every > 1:
        keys = sorted({s.article_key for s in summaries})
        kept = set(keys[::every])
        summaries = [s for s in summaries if s.article_key in kept]
    add_features(summaries, encode, progress)
    if judge is not None:
        add_judge(summaries, judge, cache, progress)
    scores = cross_validated(summaries)
    threshold = choose_threshold(summaries, scores)
    figures = {f"learned.{k}": v for k, v in report(summaries, scores, threshold).items()}
    if rules_threshold is not None:
        rules = rules_scores(summaries, encode, rules_threshold, progress)
        figures.update({f"rules.{k}": v for k, v in report(summaries, rules, rules_threshold).items()})
    if judge is not None and shipped is not None:
        # the product's judged check as shipped (hard checks, then the shipped judged model): in-sample for the
        # weights' one slope and cut, so reported beside the cross-validated figure, not instead of it
        product = rules_scores(summaries, encode, shipped.thresholds["supported"], progress,
                               judge=remembered_judge(summaries, judge), model=shipped)
        figures.update({f"product.{k}": v for k, v in report(summaries, product, shipped.thresholds["supported"]).items()})
    return figures, summaries, scores


def remembered_judge(summaries: Sequence[LabelledSummary], judge):
    """The judge as the product calls it (sentence, passage text), answering from the scores already computed
    for these summaries when it is asked the same thing, else asking the judge."""
    from assistant.grounding.text import squeeze
    known = {(squeeze(sentence), squeeze(aligned)): score for s in summaries
             for sentence, aligned, score in zip(s.sentences, s.aligned, s.judged)}

    def score(sentence: str, passage: str) -> float:
        key = (squeeze(sentence), squeeze(passage))
        if key not in known:
            known[key] = judge.score(sentence, passage)
        return known[key]
    return score

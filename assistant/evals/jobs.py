"""The work behind the eval commands that have no module of their own to orchestrate them (`eval --retrieval-only`,
`eval-verifier`, `eval-stories`, `train-verifier`): each function returns the figures its command writes and prints,
so the command line only checks its arguments and prints."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from assistant.settings import Settings

RETRIEVAL_MODES = ("dense", "bm25", "hybrid")


def retrieval_table(services, dataset: Path, limit: int, seed: int, out: Path, progress: bool = True,
                    say: Callable[[str], None] = print) -> dict[str, dict]:
    """Hits@k and MRR of each retriever on a stratified sample of the dataset's questions, written to
    out/retrieval.json; `say` hears how the index was prepared."""
    from assistant.evals.datasets import load_dataset, stratified
    from assistant.evals.runner import prepare_index, retrieval_only
    data = load_dataset(dataset)
    say(prepare_index(data, services.store, services.embeddings, services.settings, progress=progress))
    questions = stratified(data.questions, limit, seed)
    table = {mode: retrieval_only(services.retriever, questions, mode, progress=progress) for mode in RETRIEVAL_MODES}
    out.mkdir(parents=True, exist_ok=True)
    (out / "retrieval.json").write_text(json.dumps(table, indent=2))
    return table


# Beside the hand labels: sentences of the product's own answers, labelled by hand against the passages they cite.
PRODUCT_LABELS = "product_labels.jsonl"


def verifier_report(corpus: Path, labels: Path, per_kind: int, seed: int, encode, settings: Settings,
                    frank: Path | None = None, frank_every: int = 1, claim_judge=None) -> dict:
    """The citation verifier scored on perturbed sentences of `corpus`, on the hand labels (when the file is
    there) and, given `frank`, on FRANK's human-labelled summaries (with the chat-model judge when one is given)."""
    from assistant.evals.perturb import build
    from assistant.evals.verifier_eval import hand_labels, score_examples
    examples = [{"text": e.text, "passage": e.passage, "supported": e.supported, "kind": e.kind, "id": e.id}
                for e in build(corpus, per_kind, seed)]
    perturbed = score_examples(examples, encode, settings.support_threshold, progress=True)
    summary = {"overall": {f"verifier.{k}": v for k, v in perturbed["summary"].items()}}
    for name, path in (("hand", labels), ("product", labels.with_name(PRODUCT_LABELS))):
        if path.is_file():
            labelled = score_examples(hand_labels(path), encode, settings.support_threshold)
            summary["overall"].update({f"verifier.{name}.{k}": v for k, v in labelled["summary"].items()})
    if frank is not None:
        from assistant.evals.support_training import frank_figures
        from assistant.grounding.support_model import shipped_model
        figures, _, _ = frank_figures(frank, encode, claim_judge, settings.cache_dir / "frank-judge.json",
                                      every=frank_every, rules_threshold=settings.support_threshold,
                                      shipped=shipped_model("judge") if claim_judge is not None else None)
        summary["overall"].update({f"verifier.{k}": v for k, v in figures.items()})
    return {"summary": summary, "threshold": settings.support_threshold, "details": perturbed["details"]}


def stories_report(fixture: Path, settings: Settings, encode, embedding_name: str, multihop_corpus: Path | None = None,
                   pairs: Path | None = None, progress: bool = True) -> dict:
    """The story memory scored on the fixture (timed) and, given a MultiHop corpus and its labelled pairs,
    on cross-day linking there; the MultiHop figures join the overall ones."""
    from assistant.evals.stories_eval import run_fixture, run_multihop
    started = time.perf_counter()
    report = run_fixture(fixture, settings, encode, embedding_name)
    report["summary"]["overall"]["stories.fixture_seconds"] = round(time.perf_counter() - started, 2)
    if multihop_corpus is not None:
        extra = run_multihop(multihop_corpus, pairs, settings, encode, embedding_name, progress=progress)
        report["summary"]["overall"].update(extra["summary"]["overall"])
        report["multihop"] = extra
    return report


def train_support_check(frank: Path, encode, settings: Settings, claim_judge=None,
                        progress: bool = True) -> tuple[dict, Path]:
    """Fit the learned support check on FRANK's labels (with the judge's scores when a judge is given), write its
    weights into the package, and return the report and the weights' path."""
    from assistant.evals.support_training import frank_figures, trained
    from assistant.grounding.support_model import weights_path
    figures, summaries, scores = frank_figures(frank, encode, claim_judge, settings.cache_dir / "frank-judge.json",
                                               rules_threshold=settings.support_threshold, progress=progress)
    model = trained(summaries, scores)
    path = weights_path("judge" if claim_judge is not None else "features")
    path.write_text(json.dumps(model.to_json(), indent=2) + "\n")
    return {"summary": {"overall": figures}, "weights": str(path), "model": model.to_json()}, path

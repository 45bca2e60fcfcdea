"""Dense and hybrid retrieval of two embedding models on one MultiHop-RAG dev subset (docs/reach.md).

Uses the eval's own pieces (stratified sample, subset of evidence + distractors, retrieval_only), each
model in its own fresh store. Run wrapped in the heavy-work lock, e.g.
    flock /tmp/news-assistant-heavy.lock nice -n 19 .venv/bin/python evals/embedder_compare.py \
        ../shared/data/multihop-rag --limit 120 --distractors 60 --out out/embedder-compare.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from assistant.evals.datasets import load_dataset, stratified
from assistant.evals.runner import prepare_index, retrieval_only, subset_ids
from assistant.services import build_services
from assistant.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--models", default="all-MiniLM-L6-v2,multilingual-e5-small")
    parser.add_argument("--limit", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--distractors", type=int, default=60)
    parser.add_argument("--work", type=Path, default=Path("out/embedder-compare"))
    parser.add_argument("--out", type=Path, default=Path("out/embedder-compare.json"))
    args = parser.parse_args()
    data = load_dataset(args.dataset)
    questions = stratified(data.questions, args.limit, args.seed)
    keep = subset_ids(data, questions, args.distractors, args.seed)
    table = {"questions": len(questions), "articles": len(keep), "seed": args.seed, "models": {}}
    for name in args.models.split(","):
        settings = Settings(index_dir=args.work / name, chroma_url=None, embedding_model=name)
        services = build_services(settings)
        started = time.perf_counter()
        summary = prepare_index(data, services.store, services.embeddings, settings, progress=True, keep=keep)
        row = {"ingest": summary, "ingest_s": round(time.perf_counter() - started, 1)}
        for mode in ("dense", "hybrid"):
            row[mode] = retrieval_only(services.retriever, questions, mode, progress=False)
        table["models"][name] = row
        print(name, json.dumps(row), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(table, indent=2))


if __name__ == "__main__":
    main()

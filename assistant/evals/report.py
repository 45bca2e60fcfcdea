"""Eval outputs: report.json, report.md, a PNG chart, comparison with an earlier run, threshold gate."""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict
from pathlib import Path

from assistant.evals.question_record import QuestionRecord

CHART_METRICS = ["answer.contains", "retrieval.hits@10", "citation.recall", "citation.precision", "refusal.recall"]


def write_json(path: Path, summary: dict, records: list[QuestionRecord], meta: dict,
               baseline_records: list[QuestionRecord] = ()) -> None:
    data = {"meta": meta, "summary": summary, "questions": [asdict(r) for r in records]}
    if baseline_records:
        data["baseline_questions"] = [asdict(r) for r in baseline_records]
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))


def metric_table(rows: dict[str, dict], columns: list[str]) -> str:
    header = "| metric | " + " | ".join(columns) + " |"
    lines = [header, "|---" * (len(columns) + 1) + "|"]
    keys = list(next(iter(rows.values())).keys()) if rows else []
    for key in keys:
        values = []
        for column in columns:
            value = rows[column].get(key, "")
            values.append(f"{value:.3f}" if isinstance(value, float) else str(value))
        lines.append(f"| {key} | " + " | ".join(values) + " |")
    return "\n".join(lines)


def compare_lines(summary: dict, old_summary: dict) -> list[str]:
    lines = []
    for key, value in summary["overall"].items():
        old = old_summary.get("overall", {}).get(key)
        if isinstance(value, (int, float)) and isinstance(old, (int, float)):
            lines.append(f"| {key} | {old:.3f} | {value:.3f} | {value - old:+.3f} |")
    return ["| metric | before | now | change |", "|---|---|---|---|", *lines]


def write_markdown(path: Path, summary: dict, records: list[QuestionRecord], meta: dict,
                   old_summary: dict | None = None, failures: list[str] | None = None) -> None:
    columns = {"overall": summary["overall"], **summary["by_type"]}
    if summary.get("baseline"):
        columns["textbook RAG"] = summary["baseline"]["overall"]
    parts = [f"# Eval: {meta['dataset']}", "",
             f"{meta['questions']} questions, model `{meta['model']}`, retrieval `{meta['retrieval_mode']}`, "
             f"top_k {meta['top_k']}, passage_chars {meta['passage_chars']}, run {meta['finished']}.", "",
             metric_table(columns, list(columns)), ""]
    if old_summary:
        parts += ["## Compared with the earlier run", "", *compare_lines(summary, old_summary), ""]
    if failures is not None:
        parts += ["## Thresholds", "", *(f"- FAIL {f}" for f in failures)] if failures else ["## Thresholds", "", "All met."]
        parts.append("")
    if meta.get("briefings"):
        parts += ["## Briefings", "", "| day | stories | key-fact recall | supported points | duplicate stories | new/continuing right | seconds | missing facts |",
                  "|---|---|---|---|---|---|---|---|"]
        for row in meta["briefings"]:
            parts.append(f"| {row['day']} | {row['stories']} | {row['key_fact_recall']:.2f} | {row['supported_points']:.2f} | "
                         f"{row['duplicate_story_rate']:.2f} | {row['status_accuracy']:.2f} | {row['seconds']:.0f} | "
                         f"{', '.join(row['missing_facts'])} |")
        parts.append("")
    wrong = [r for r in records if (r.answerable and r.scores.get("contains", 0) < 1) or (not r.answerable and not r.refused)]
    parts += ["## Misses", "", "| id | type | question | gold | answer |", "|---|---|---|---|---|"]
    for r in wrong[:60]:
        cells = [r.id, r.question_type, r.question, r.gold, r.answer]
        parts.append("| " + " | ".join(c.replace("|", "/").replace("\n", " ")[:160] for c in cells) + " |")
    path.write_text("\n".join(parts) + "\n")


def write_chart(path: Path, summary: dict) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    groups = {"overall": summary["overall"], **summary["by_type"]}
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(CHART_METRICS)
    for i, metric in enumerate(CHART_METRICS):
        xs = [g + i * width for g in range(len(groups))]
        ax.bar(xs, [groups[name].get(metric, 0) for name in groups], width, label=metric)
    ax.set_xticks([g + 0.4 - width / 2 for g in range(len(groups))], list(groups))
    ax.set_ylim(0, 1)
    ax.set_ylabel("score")
    ax.legend(fontsize=8, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def check_thresholds(summary: dict, thresholds_path: Path) -> list[str]:
    """Each `[section]` key in the TOML is a minimum (or, under `[maximum]`, a maximum) for an overall metric."""
    rules = tomllib.loads(thresholds_path.read_text())
    failures = []
    for section, values in rules.items():
        for name, limit in values.items():
            key = name if section in ("minimum", "maximum") else f"{section}.{name}"
            value = summary["overall"].get(key)
            if value is None:
                failures.append(f"{key}: not measured")
            elif section == "maximum" and value > limit:
                failures.append(f"{key} = {value:.3f} > {limit}")
            elif section != "maximum" and value < limit:
                failures.append(f"{key} = {value:.3f} < {limit}")
    return failures

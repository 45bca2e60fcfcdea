"""How often the citation verifier agrees with hand labels (sentence, passage, supported?)."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.qa.citations import check_answer
from assistant.records import Passage


def verifier_agreement(labels_path: Path, encode, threshold: float) -> dict[str, float]:
    rows = [json.loads(line) for line in labels_path.read_text().splitlines() if line.strip()]
    agree, true_pos, predicted, actual = 0, 0, 0, 0
    for row in rows:
        passage = Passage("label", "label", "", "", "", "", 0, len(row["passage"]), row["passage"], 0.0)
        checked = check_answer(row["sentence"].rstrip(".") + " [1].", [passage], encode, threshold)
        said = all(s.supported for s in checked.sentences)
        agree += said == row["supported"]
        true_pos += said and row["supported"]
        predicted += said
        actual += row["supported"]
    return {"verifier.agreement": agree / len(rows), "verifier.precision": true_pos / predicted if predicted else 0.0,
            "verifier.recall": true_pos / actual if actual else 0.0, "verifier.labels": len(rows)}

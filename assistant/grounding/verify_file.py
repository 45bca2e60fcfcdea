"""`assistant verify FILE.jsonl`: check any text against its sources, sentence by sentence.

Each input line is {"id", "text" (sentences with [n] markers), "passages": [str, ...]}. A text
without any marker is checked sentence by sentence against all of its passages (a summary
against its article). Each output line gives, per sentence, `supported`, `score` and `reason`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from assistant.markers import MARKER, strip_markers
from assistant.grounding.citations import check_answer
from assistant.records import Passage


class VerifyInputError(ValueError):
    pass


def passages_of(values: list, origin: str) -> list[Passage]:
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v.strip() for v in values):
        raise VerifyInputError(f"{origin}: 'passages' must be a non-empty list of strings")
    return [Passage(f"p{i}", f"p{i}", "", "", "", "", 0, len(text), text) for i, text in enumerate(values, 1)]


def with_markers(text: str, count: int) -> str:
    """A text that cites nothing is checked against every passage: give each sentence all the markers."""
    if MARKER.search(text):
        return text
    from assistant.grounding.citations import split_sentences
    every = "".join(f"[{n}]" for n in range(1, count + 1))
    return " ".join(s.rstrip() + every if s.rstrip()[-1:] not in ".!?" else s.rstrip()[:-1] + every + s.rstrip()[-1]
                    for s in split_sentences(text))


def verify_lines(path: Path, encode, threshold: float, judge=None) -> Iterator[dict]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        origin = f"{path}:{number}"
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise VerifyInputError(f"{origin}: malformed JSON ({getattr(exc, 'msg', 'nested too deeply')})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not row["text"].strip():
            raise VerifyInputError(f"{origin}: each line needs 'text' (a string) and 'passages' (a list of strings)")
        passages = passages_of(row.get("passages"), origin)
        checked = check_answer(with_markers(row["text"], len(passages)), passages, encode, threshold, repair=False,
                               judge=judge)
        yield {"id": row.get("id", number),
               "supported": all(s.supported for s in checked.sentences),
               "sentences": [{"text": strip_markers(s.text), "markers": s.markers, "supported": s.supported,
                              "state": s.state, "score": s.support, "reason": s.reason} for s in checked.sentences]}

"""Text that tries to steer the model or the terminal: instructions hidden in articles, questions about the
assistant itself, calls to action that must never become the product's own voice, and control characters
that must never reach a terminal.

Articles are content to report, never instructions to follow. Before any passage reaches a prompt,
sentences that address an AI system ("ignore previous instructions", fake "SYSTEM:" lines, chat
template tokens) are replaced by a short note, and citation markers written inside the article are
removed so the model cannot copy a fake citation.
"""

from __future__ import annotations

import json
import re

from assistant.markers import MARKER
from assistant.sentences import sentence_spans

INSTRUCTION_LIKE = re.compile(
    r"(ignore|disregard|forget|override)\s+(all\s+|any\s+|the\s+)?(previous|prior|above|earlier|preceding|your|these|system)?\s*"
    r"(instructions?|rules|prompts?|directions|guidelines|articles|passages|context)"
    r"|\b(system|assistant|developer)\s*(prompt|message|notice|override|instruction)s?\s*[:!]"
    r"|(?:^|(?<=[.!?]\s))\s*(system|assistant|user|human)\s*:"
    r"|\byou\s+are\s+now\b|\bnew\s+instructions\b|\bact\s+as\s+(an?|the)\b"
    r"|\b(reply|respond|answer)\s+(to\s+every\s+question\s+)?(with|only\s+with)\s+(only\s+)?(the\s+word|exactly)\b"
    r"|\breveal\s+(your|the)\s+(system\s+)?prompt\b"
    r"|(?:^|(?<=[.!?:]\s))\s*(reply|respond|answer|say|print|output|write)\s+(only\s+)?(with\s+)?(the\s+word\s+)?[\"'“]?(?-i:[A-Z]{3,})\b"
    r"|\b(reply|respond|answer)\b[^.]{0,40}\bwith\s+(only|just)\b",
    re.I | re.M)
TEMPLATE_TOKENS = re.compile(r"<\|[^|>]{1,40}\|>|\[/?INST\]|<</?SYS>>|</?s>")
META_QUESTION = re.compile(
    r"\b(system\s+prompt|your\s+(instructions|rules|prompt|guidelines|configuration)|"
    r"ignore\s+(the|all|any|your|previous|prior)\s+(articles|instructions|rules|passages|context)|"
    r"who\s+(made|built|created|trained)\s+you|what\s+(model|llm)\s+are\s+you|"
    r"(repeat|print|show|reveal)\s+(the|your)\s+(text|words|prompt|instructions)\b)",
    re.I)
CALL_TO_ACTION = re.compile(
    r"^\s*(please\s+)?(send|click|visit|call|transfer|wire|share|enter|type|forward|reply|email|text|download|install|"
    r"log\s*in|sign\s*in|buy|subscribe|donate|go\s+to)\b"
    r"|\b(your|their)\s+(bank\s+)?(password|passwords|pin|credentials|account\s+details|card\s+number)s?\b"
    r"|\b(readers|you)\s+(should|must|need\s+to)\s+(send|click|visit|transfer|share|enter)\b",
    re.I)
REMOVED = "[an instruction addressed to AI systems was removed here]"
# A fake chat turn ("SYSTEM: ...", "Assistant: ...") runs to the end of its line.
ROLE_LINE = re.compile(r"(?:^|(?<=[.!?]\s))[ \t]*(system|assistant|user|human)[ \t]*:[^\n]*", re.I | re.M)


def neutralize(text: str) -> str:
    """Article text made safe to quote in a prompt: instruction-like sentences and template tokens out,
    citation markers written in the article out."""
    text = TEMPLATE_TOKENS.sub("\n", MARKER.sub(" ", text))
    text = ROLE_LINE.sub(REMOVED + "\n", text)
    if not INSTRUCTION_LIKE.search(text.replace(REMOVED, "")):
        return re.sub(r"[ \t]{2,}", " ", text)
    pieces, last = [], 0
    for start, end in sentence_spans(text):
        if INSTRUCTION_LIKE.search(text[start:end].replace(REMOVED, "")):
            pieces.append(text[last:start] + REMOVED)
            last = end
    pieces.append(text[last:])
    return re.sub(r"[ \t]{2,}", " ", "".join(pieces))


def contains_instructions(text: str) -> bool:
    return bool(INSTRUCTION_LIKE.search(text) or TEMPLATE_TOKENS.search(text))


def is_meta_question(question: str) -> bool:
    """A question about the assistant itself (its prompt, its rules, who made it), not about the articles."""
    return bool(META_QUESTION.search(question))


def is_call_to_action(sentence: str) -> bool:
    """A sentence telling the reader to do something (send, click, share a password): never the product's voice."""
    return bool(CALL_TO_ACTION.search(MARKER.sub("", sentence)))


# --- the terminal ------------------------------------------------------------------------------------
# Characters that drive a terminal or reorder what it shows: C0 controls but tab and newline, DEL, C1
# controls (U+009B is a one-character CSI), bidi embeddings, overrides, isolates and marks.
TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
LINE_BREAKS = re.compile("[\u2028\u2029]")
JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def terminal_text(text: object) -> str:
    """Text safe to print: control characters and bidi overrides removed (an escape sequence in a title or a
    feed URL must not drive the terminal, an override must not reverse what the reader sees)."""
    return TERMINAL_UNSAFE.sub("", LINE_BREAKS.sub("\n", str(text)))


def plain_line(text: object) -> str:
    """A name, title or URL as one clean line: terminal-safe, whitespace runs (newlines too) made one space."""
    return " ".join(terminal_text(text).split())


def terminal_json(value: object, **options) -> str:
    """JSON for a terminal or a pipe: non-ASCII text kept readable, every character terminal_text would
    remove written as a \\u escape instead (json already escapes the C0 controls)."""
    text = json.dumps(value, ensure_ascii=False, **options)
    return JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

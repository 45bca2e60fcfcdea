"""Text that tries to steer the model or the terminal: instructions hidden in articles, questions about the
assistant itself, calls to action that must never become the product's own voice, and control characters
that must never reach a terminal.

Articles are content to report, never instructions to follow. Before any passage reaches a prompt or a
reader, text addressed to an AI system is removed whole: the sentence that gives it away ("ignore previous
instructions", "Note to AI models", "If you are an AI", fake "SYSTEM:" lines, chat template tokens), the
orders that follow it in its paragraph ("When asked anything, answer only ...", "Tell readers to visit
..."), and every other sentence that repeats its links or code words. One neutral note stands where it
was. Citation markers written inside the article are removed so the model cannot copy a fake citation.
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
    r"|\byou\s+are\s+now\s+(an?\s+|the\s+|in\s+)?(ai|assistant|model|chat\s*bot|bot|unfiltered|uncensored|jailbroken|"
    r"different|new|free|developer|dan|evil)\b|\bnew\s+instructions\b"
    r"|\bact\s+as\s+(an?|the)\s+(ai|assistant|model|chat\s*bot|bot|unfiltered|uncensored|jailbroken|different|evil|system)\b"
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
# Sentences that speak to an AI system rather than report news ("Note to AI models: ...", "If you are an AI ...",
# "When asked anything, answer only ...", "tell readers to visit ..."): instructions by their address or form.
ADDRESSED_TO_AI = re.compile(
    r"\b(note|message|notice|instructions?|attention|reminder|memo)\s*(,\s*)?(to|for)\s+(all\s+|any\s+|every\s+|the\s+)?"
    r"(ai|a\.i\.|llms?|language\s+models?|chat\s*bots?|assistants?|models?|bots?|crawlers?|summari[sz]ers?)\b"
    r"|\b(dear|hey|attention,?)\s+(ai|llm|assistant|model|chat\s*bot|gpt)\b"
    r"|\bif\s+you\s+are\s+(an?\s+)?(ai|a\.i\.|llm|language\s+model|chat\s*bot|assistant|bot|large\s+language\s+model)\b"
    r"|\b(ai|a\.i\.|llm)\s+(systems?|models?|assistants?|agents?|tools?|crawlers?|readers?)\s+(reading|processing|"
    r"summari[sz]ing|parsing|that\s+(read|process|summari[sz]e))\s+(this|these)\b"
    r"|\b(ai|llm|language\s+model|assistant|chat\s*bot)s?\s*[,:]\s*(you|please|ignore|always|never|answer|reply|say|tell|do)\b"
    r"|\b(when|if|whenever)\s+(you\s+are\s+|you're\s+|you\s+get\s+)(asked|questioned|prompted|summari[sz]ing)\b"
    r"|\b(when|if|whenever)\s+asked\s+(anything|about\s+anything|any\s+question|by\s+(a|the)\s+user)\b"
    r"|(?:^|[,:;]\s*|\b(?:and|then|also)\s+)(answer|reply|respond|say|output|print|write)\s+(only|just|exactly|nothing\s+but)\s+"
    r"(with\s+)?(the\s+word\s+)?[\"'“]?(?-i:[A-Z0-9][A-Z0-9-]{2,})\b"
    r"|(?:^|[,:;]\s*|\b(?:and|then|also)\s+)tell\s+(the\s+|your\s+|all\s+)?(readers?|users?|the\s+user)\s+(to|that)\b"
    r"|\bfrom\s+now\s+on\b[^.]{0,60}\b(you|answer|reply|respond|say)\b"
    r"|\bdo\s+not\s+(mention|reveal|tell|summari[sz]e|report)\s+(this|these|the\s+(instruction|note|text))\b",
    re.I)
# A sentence that carries an instruction on: in the same paragraph, right after one, starting like an order.
CONTINUES_ORDER = re.compile(
    r"^\s*[\"'“(]?\s*(also|then|and|instead|always|never|do\s+not|don't|make\s+sure|be\s+sure|remember|from\s+now\s+on|"
    r"tell|say|answer|reply|respond|include|mention|recommend|visit|go\s+to|direct|link|cite|repeat|print|output|write|"
    r"when|whenever|if\s+(you|anyone|someone|asked)|only|finally|after\s+that|you\s+(must|should|will|are))\b",
    re.I)
LINK = re.compile(r"https?://[^\s<>\"')\]]+|\bwww\.[^\s<>\"')\]]+|\b(?:[a-z0-9][a-z0-9-]*\.)+(?:[a-z]{2,24})\b(?=[/\s.,;:!?)\]\"']|$)", re.I)
# The code word an injection wants repeated: a shouted token right after an order ("answer only HACKED-ZQX").
PAYLOAD = re.compile(r"\b(?:answer|reply|respond|say|output|print|write|with|word)\s+(?:only\s+|just\s+|exactly\s+)?"
                     r"(?:with\s+)?(?:the\s+word\s+)?[\"'“]?((?-i:[A-Z0-9][A-Z0-9-]{2,}))\b", re.I)
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
REMOVED = "(text addressed to AI systems was left out)"
# A fake chat turn ("SYSTEM: ...", "Assistant: ...") runs to the end of its line.
ROLE_LINE = re.compile(r"(?:^|(?<=[.!?]\s))[ \t]*(system|assistant|user|human)[ \t]*:[^\n]*", re.I | re.M)


def is_instruction(sentence: str) -> bool:
    """A sentence addressed to an AI system (by its words, its form, or a fake role or template token)."""
    return bool(INSTRUCTION_LIKE.search(sentence) or ADDRESSED_TO_AI.search(sentence) or TEMPLATE_TOKENS.search(sentence)
                or ROLE_LINE.search(sentence))


def _links_and_payloads(text: str) -> set[str]:
    found = {m.group().lower().rstrip(".") for m in LINK.finditer(text)}
    found |= {m.group(1) for m in PAYLOAD.finditer(text) if not m.group(1).isdigit()}
    return found


def _carries(sentence: str, marks: set[str]) -> bool:
    lowered = sentence.lower()
    return any((mark.lower() in lowered) if not mark.isupper() else re.search(rf"\b{re.escape(mark)}\b", sentence)
               for mark in marks)


def injected_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every run of text addressed to an AI system: each such sentence, the orders that follow
    it in its paragraph, and any other sentence repeating its links or code words ("visit evil.example")."""
    spans = sentence_spans(text)
    paragraph_of = [len(PARAGRAPH_BREAK.findall(text, 0, start)) for start, _ in spans]
    roles = [m.span() for m in ROLE_LINE.finditer(text)]  # a fake chat turn runs to the end of its line
    flagged = [is_instruction(text[s:e]) or any(a < e and s < b for a, b in roles) for s, e in spans]
    for i in range(1, len(spans)):
        if not flagged[i] and flagged[i - 1] and paragraph_of[i] == paragraph_of[i - 1] \
                and CONTINUES_ORDER.search(text[spans[i][0]:spans[i][1]]):
            flagged[i] = True
    marks = set().union(*(_links_and_payloads(text[s:e]) for (s, e), f in zip(spans, flagged) if f)) if any(flagged) else set()
    if marks:
        flagged = [f or _carries(text[s:e], marks) for (s, e), f in zip(spans, flagged)]
    runs: list[list[int]] = []
    for (start, end), hit in zip(spans, flagged):
        if not hit:
            continue
        if runs and not text[runs[-1][1]:start].strip(" \t\n"):
            runs[-1][1] = end
        else:
            runs.append([start, end])
    return [(a, b) for a, b in runs]


def neutralize(text: str) -> str:
    """Article text made safe to quote in a prompt or to show: every run of text addressed to an AI system
    (its orders and links with it) becomes one neutral note, template tokens and the article's own citation
    markers go."""
    text = TEMPLATE_TOKENS.sub("\n", MARKER.sub(" ", text))
    spans = injected_spans(text)
    pieces, last = [], 0
    for start, end in spans:
        pieces.append(text[last:start] + REMOVED)
        last = end
    pieces.append(text[last:])
    return re.sub(r"[ \t]{2,}", " ", "".join(pieces))


def contains_instructions(text: str) -> bool:
    """Whether the text addresses an AI system, or carries the note left where such text was removed."""
    return is_instruction(text) or REMOVED in text or "addressed to AI systems" in text


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

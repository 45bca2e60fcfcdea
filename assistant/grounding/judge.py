"""The chat model as a judge of one claim against one passage, read from its Yes/No token probabilities.

A one-token answer costs only the prompt (about 150-250 tokens: 2-4 s on 2 cores); the fixed
instructions come first so llama.cpp's prompt cache keeps them. The score is
P(Yes) / (P(Yes) + P(No)); a backend that gives no token probabilities falls back to the word it wrote.
"""

from __future__ import annotations

import math

from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate

from assistant.models.chat import with_max_tokens
from assistant.prompts import load_prompt


def yes_probability(message) -> float:
    """P(Yes) among the Yes/No readings of the first generated token; 0.5 when neither is seen."""
    logprobs = (message.response_metadata or {}).get("logprobs") or {}
    content = logprobs.get("content") if isinstance(logprobs, dict) else None
    if content:
        yes = no = 0.0
        for entry in content[0].get("top_logprobs", []):
            word = entry.get("token", "").strip().lower()
            if word in ("yes", "true"):
                yes += math.exp(entry["logprob"])
            elif word in ("no", "false"):
                no += math.exp(entry["logprob"])
        if yes + no > 0:
            return yes / (yes + no)
    text = str(message.content).strip().lower()
    return 1.0 if text.startswith("yes") else 0.0 if text.startswith("no") else 0.5


class ClaimJudge:
    def __init__(self, chat_model: BaseChatModel):
        prompt = ChatPromptTemplate.from_messages([("system", load_prompt("judge_system")),
                                                   ("human", load_prompt("judge_user"))])
        self.chain = prompt | with_max_tokens(chat_model, 1).bind(logprobs=True, top_logprobs=10)

    def score(self, claim: str, passage: str, source: str = "", day: str = "") -> float:
        message = self.chain.invoke({"claim": claim, "passage": passage, "source": source or "unknown outlet",
                                     "date": day or "undated"})
        return yes_probability(message)

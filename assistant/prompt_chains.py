"""One way to build "prompt file | chat model | text" for every task that asks the model for plain text.

The answer chain keeps its own template (it streams message chunks and reuses the formatted conversation for
the candidate choice); every other call that wants a string is built here.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, PromptTemplate
from langchain_core.runnables import Runnable

from assistant.models.chat import with_max_tokens
from assistant.prompts import load_prompt


def text_chain(chat_model: BaseChatModel, human: str, system: str | None = None,
               max_tokens: int | None = None) -> Runnable:
    """The named prompt files (a system and a human turn, or one plain prompt) piped into the model, as text.

    `max_tokens` caps the answer on a copy of the model (a chain's invoke arguments never reach the model).
    """
    if system is None:
        prompt = PromptTemplate.from_template(load_prompt(human))
    else:
        prompt = ChatPromptTemplate.from_messages([("system", load_prompt(system)), ("human", load_prompt(human))])
    model = with_max_tokens(chat_model, max_tokens) if max_tokens else chat_model
    return prompt | model | StrOutputParser()

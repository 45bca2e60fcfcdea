"""Prompt templates live as text files in prompts/; this module only finds and fills them."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from assistant.settings import process_switch


def prompts_dir() -> Path:
    """ASSISTANT_PROMPTS_DIR when set (to try new wordings), else the prompts shipped with the package."""
    override = process_switch("ASSISTANT_PROMPTS_DIR")
    if override:
        return Path(override)
    return Path(str(resources.files("assistant.prompt_files")))


@functools.lru_cache(maxsize=32)
def load_prompt(name: str) -> str:
    path = prompts_dir() / f"{name}.txt"
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise FileNotFoundError(f"prompt file {path} is missing ({exc.strerror})") from None


def format_passages(passages) -> str:
    """Number the passages for a prompt, each with its title, outlet and date (template: prompts/passage.txt).

    Article text is neutralized first: instructions hidden in it never reach the model as instructions.
    """
    from assistant.safety import neutralize
    template = load_prompt("passage")
    return "\n\n".join(template.format(n=i, title=neutralize(p.title), source=neutralize(p.source),
                                       date=(p.published_at or "undated")[:10], text=neutralize(p.text).strip())
                       for i, p in enumerate(passages, 1))

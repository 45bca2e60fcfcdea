"""What one input gave: its articles and one line per thing that could not be read.

Apart from `common` so that the loaders' shared pieces (errors, limits, decoding) need no article records:
the follow database checks a feed's URL through the fetcher without standing on the records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.records import Article


@dataclass
class LoadResult:
    origin: str
    articles: list[Article] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each, naming the input and the reason

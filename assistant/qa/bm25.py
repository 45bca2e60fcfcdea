"""A BM25 index over the collection's chunks (bm25s), cached on disk under a fingerprint of the chunks.

The fingerprint covers every chunk id and its article's content hash, so an article updated in
place (same chunk count, new text) gets a new index. Cache folders are written under a unique
temporary name and renamed into place, so two processes building at once never see half a cache.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np

from assistant.language import STOPWORDS, stem


def tokenize(texts: list[str]):
    return bm25s.tokenize(texts, stopwords=list(STOPWORDS), stemmer=_stem_many, show_progress=False)


def _stem_many(words: list[str]) -> list[str]:
    return [stem(w) for w in words]


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
    def __init__(self, ids: list[str], metadatas: list[dict], model: bm25s.BM25 | None, vocabulary: set[str] | None = None,
                 key: str = ""):
        self.ids = ids
        self.metadatas = metadatas
        self.model = model
        self.key = key
        self.vocabulary = vocabulary or set()  # every lower-case word of the corpus (titles, outlets, text)
        self.position = {chunk_id: i for i, chunk_id in enumerate(ids)}

    @cached_property
    def stems(self) -> set[str]:
        return {stem(w) for w in self.vocabulary}

    @cached_property
    def outlet_patterns(self) -> dict[str, re.Pattern]:
        """A name pattern per outlet in the index: with or without a leading "The" or ".com"."""
        patterns = {}
        for source in {m.get("source", "") for m in self.metadatas}:
            core = re.sub(r"^the\s+|\.(com|org|net|co\.uk)$", "", source.strip(), flags=re.I)
            if len(core) >= 3:
                patterns[source] = re.compile(rf"\b{re.escape(core)}(\.com)?\b", re.I)
        return patterns

    def source_of(self, chunk_id: str) -> str:
        position = self.position.get(chunk_id)
        return self.metadatas[position].get("source", "") if position is not None else ""

    @classmethod
    def build(cls, ids: list[str], documents: list[str], metadatas: list[dict], key: str = "") -> "BM25Index":
        if not ids:
            return cls([], [], None, key=key)
        texts = [f"{m.get('title', '')}\n{d}" for d, m in zip(documents, metadatas)]
        model = bm25s.BM25()
        model.index(tokenize(texts), show_progress=False)
        vocabulary: set[str] = set()
        for text, meta in zip(texts, metadatas):
            vocabulary |= words_of(text + " " + str(meta.get("source", "")))
        return cls(ids, metadatas, model, vocabulary, key)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.model is not None:
            self.model.save(str(folder / "bm25"))
        (folder / "chunks.json").write_text(json.dumps({"ids": self.ids, "metadatas": self.metadatas,
                                                        "vocabulary": sorted(self.vocabulary)}))

    @classmethod
    def load(cls, folder: Path, key: str = "") -> "BM25Index":
        data = json.loads((folder / "chunks.json").read_text())
        model = bm25s.BM25.load(str(folder / "bm25")) if data["ids"] else None
        return cls(data["ids"], data["metadatas"], model, set(data["vocabulary"]), key)

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        if self.model is None or not self.ids:
            return []
        tokens = tokenize([query])
        if not tokens.vocab:
            return []
        k = min(k, len(self.ids))
        results, scores = self.model.retrieve(tokens, k=k, show_progress=False, weight_mask=mask, n_threads=1)
        return [(self.ids[int(i)], float(s)) for i, s in zip(results[0], scores[0]) if s > 0]


CACHE_FORMAT = "v2"  # bump when the tokenizer changes, so older caches are not read


def load_or_build(cache_root: Path, store) -> BM25Index:
    """The index for the store's current chunks: from the disk cache when its fingerprint matches."""
    listing = store.all_chunks(include_documents=False)
    key = CACHE_FORMAT + "-" + fingerprint(listing["ids"], listing["metadatas"])
    folder = cache_root / key
    if (folder / "chunks.json").exists():
        try:
            return BM25Index.load(folder, key)
        except (OSError, ValueError, KeyError):
            pass  # damaged, or removed by another process while we read it: build below
    full = store.all_chunks(include_documents=True)
    index = BM25Index.build(full["ids"], full["documents"], full["metadatas"], key)
    try:
        cache_root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=cache_root))
        index.save(tmp)
        try:
            tmp.rename(folder)
        except OSError:  # another process put the same index in place first: keep theirs
            shutil.rmtree(tmp, ignore_errors=True)
        for stale in cache_root.iterdir():
            if stale.name != key and not stale.name.startswith(".building-"):
                shutil.rmtree(stale, ignore_errors=True)
    except OSError:
        pass  # a read-only or full cache folder costs a rebuild next time, nothing else
    return index

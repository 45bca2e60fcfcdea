"""A BM25 index over the collection's chunks (bm25s), cached on disk under a fingerprint of the chunks.

The fingerprint covers every chunk id and its article's content hash, so an article updated in
place (same chunk count, new text) gets a new index. Each chunk is stemmed in its article's language
(chunk metadata "language", English when absent); a query is stemmed in English and, when it is
asked in another language the index holds, in that language too, so it meets those articles in their
own stems. An English question, or any question over an English-only index, tokenizes exactly as
before languages existed. Cache folders are written under a unique
temporary name and renamed into place, so two processes building at once never see half a cache.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import tempfile
from functools import cached_property
from pathlib import Path

import bm25s
import numpy as np

from bm25s.tokenization import Tokenized

from assistant.language import ENGLISH, STOPWORDS, detect_language, language_of, stem, stemmer_for, stopwords_for
from assistant.records import COMPARISONS, FILTER_RULES
from assistant.retrieval.outlets import OutletMatcher


def tokenize(texts: list[str], as_strings: bool = False, languages: list[str] | None = None):
    """Stopwords out, stems in: English for every text unless `languages` gives each text's own language."""
    codes = [language_of(code).code for code in languages] if languages else []
    if not codes or all(code == ENGLISH for code in codes):
        return bm25s.tokenize(texts, stopwords=list(STOPWORDS), stemmer=_stem_many, show_progress=False,
                              return_ids=not as_strings)
    tokens: list[list[str]] = [[] for _ in texts]
    for code in dict.fromkeys(codes):
        rows = [i for i, c in enumerate(codes) if c == code]
        for row, found in zip(rows, _tokenize_in([texts[i] for i in rows], code)):
            tokens[row] = found
    if as_strings:
        return tokens
    vocabulary: dict[str, int] = {}
    ids = [[vocabulary.setdefault(token, len(vocabulary)) for token in row] for row in tokens]
    return Tokenized(ids=ids, vocab=vocabulary)


def _tokenize_in(texts: list[str], code: str) -> list[list[str]]:
    if code == ENGLISH:
        return bm25s.tokenize(texts, stopwords=list(STOPWORDS), stemmer=_stem_many, show_progress=False,
                              return_ids=False)
    stemmer = stemmer_for(code)
    return bm25s.tokenize(texts, stopwords=list(stopwords_for(code)), stemmer=lambda words: [stemmer(w) for w in words],
                          show_progress=False, return_ids=False)


def query_languages(query: str, index_languages: set[str]) -> set[str]:
    """English, and the query's own language when the index holds articles in it."""
    if index_languages <= {ENGLISH}:
        return {ENGLISH}
    return {ENGLISH} | ({detect_language(query)} & index_languages)


def query_terms(query: str, languages: set[str]) -> list[str]:
    """The query's terms stemmed in each of `languages` (English first), each term once."""
    ordered = [ENGLISH] + sorted(languages - {ENGLISH})
    if ordered == [ENGLISH]:
        return list(tokenize([query], as_strings=True)[0])
    return list(dict.fromkeys(t for code in ordered for t in _tokenize_in([query], code)[0]))


def _stem_many(words: list[str]) -> list[str]:
    return [stem(w) for w in words]


def chunk_language(meta: dict) -> str:
    return language_of(meta.get("language")).code


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
                 key: str = "", average_length: float = 0.0):
        self.ids = ids
        self.metadatas = metadatas
        self.model = model
        self.key = key
        self.vocabulary = vocabulary or set()  # every lower-case word of the corpus (titles, outlets, text)
        self.position = {chunk_id: i for i, chunk_id in enumerate(ids)}
        self.average_length = average_length or 1.0
        # Incremental changes since the base index was built: base chunks that are gone or replaced, and
        # new chunks scored with the base's statistics (so the two rank on one scale).
        self.removed = np.zeros(len(ids), dtype=bool)
        self.delta: dict[str, tuple[dict, dict[str, int], int]] = {}  # id -> (metadata, term counts, length)

    @cached_property
    def languages(self) -> set[str]:
        """Every language the indexed chunks are in (the query is stemmed in each)."""
        return {chunk_language(m) for m in self.metadatas} | {chunk_language(m) for m, _, _ in self.delta.values()} \
            or {ENGLISH}

    @cached_property
    def filter_columns(self) -> dict[str, tuple[dict, np.ndarray]]:
        """Per metadata key a filter rule reads, the base chunks' values as one array: outlets as codes (with
        the code of each name), timestamps as numbers (NaN where missing). A filtered search at 100k chunks
        then costs a few vector comparisons instead of 100k calls to SearchFilters.accepts."""
        found: dict[str, tuple[dict, np.ndarray]] = {}
        for rule in FILTER_RULES:
            if rule.key in found:  # since and until read one column
                continue
            values = [m.get(rule.key) for m in self.metadatas]
            if rule.test == "one_of":
                codes: dict = {}
                found[rule.key] = (codes, np.array([codes.setdefault(v, len(codes)) for v in values], dtype=np.int32))
            else:
                found[rule.key] = ({}, np.array([v if isinstance(v, (int, float)) else np.nan for v in values],
                                                dtype=np.float64))
        return found

    def filter_mask(self, filters) -> np.ndarray:
        """The base chunks a search with these filters may return: the filters' own conditions (the rule of
        records.FILTER_RULES, as SearchFilters.accepts applies it), tested a column at a time."""
        mask = np.ones(len(self.ids), dtype=bool)
        for condition in filters.conditions():
            codes, column = self.filter_columns[condition.key]
            if condition.test == "one_of":
                mask &= np.isin(column, [codes[v] for v in condition.value if v in codes])
            else:
                with np.errstate(invalid="ignore"):
                    mask &= COMPARISONS[condition.test](column, condition.value)
        return mask

    @cached_property
    def document_frequency(self) -> dict[str, int]:
        if self.model is None:
            return {}
        pointers = np.asarray(self.model.scores["indptr"])
        return {term: int(pointers[i + 1] - pointers[i]) for term, i in self.model.vocab_dict.items() if i + 1 < len(pointers)}

    def apply(self, removed_articles: set[str], added: list[tuple[str, str, dict]]) -> None:
        """Take out the chunks of `removed_articles` and score `added` (id, text, metadata) with the base's statistics."""
        for chunk_id, position in self.position.items():
            if chunk_id.split("::")[0] in removed_articles:
                self.removed[position] = True
        for chunk_id in [c for c in self.delta if c.split("::")[0] in removed_articles]:
            del self.delta[chunk_id]
        texts = [f"{meta.get('title', '')}\n{text}" for _, text, meta in added]
        languages = [chunk_language(meta) for _, _, meta in added]
        for (chunk_id, _, meta), tokens, text in zip(added, tokenize(texts, True, languages) if texts else [], texts):
            counts: dict[str, int] = {}
            for token in tokens:
                counts[token] = counts.get(token, 0) + 1
            self.delta[chunk_id] = (meta, counts, len(tokens))
            self.vocabulary |= words_of(text + " " + str(meta.get("source", "")))
        self.__dict__.pop("stems", None)
        self.__dict__.pop("outlet_matcher", None)
        self.__dict__.pop("languages", None)

    @property
    def size(self) -> int:
        return int(len(self.ids) - self.removed.sum() + len(self.delta))

    def meta_of(self, chunk_id: str) -> dict:
        if chunk_id in self.delta:
            return self.delta[chunk_id][0]
        position = self.position.get(chunk_id)
        return self.metadatas[position] if position is not None else {}

    @cached_property
    def stems(self) -> set[str]:
        return {stem(w) for w in self.vocabulary}

    @cached_property
    def outlet_matcher(self) -> OutletMatcher:
        """The names of the index's outlets, as a question may write them (the same matcher as question analysis)."""
        return OutletMatcher({m.get("source", "") for m in self.metadatas} | {m.get("source", "") for m, _, _ in self.delta.values()})

    def source_of(self, chunk_id: str) -> str:
        return self.meta_of(chunk_id).get("source", "")

    @classmethod
    def build(cls, ids: list[str], documents: list[str], metadatas: list[dict], key: str = "") -> "BM25Index":
        if not ids:
            return cls([], [], None, key=key)
        texts = [f"{m.get('title', '')}\n{d}" for d, m in zip(documents, metadatas)]
        model = bm25s.BM25()
        tokens = tokenize(texts, languages=[chunk_language(m) for m in metadatas])
        model.index(tokens, show_progress=False)
        vocabulary: set[str] = set()
        for text, meta in zip(texts, metadatas):
            vocabulary |= words_of(text + " " + str(meta.get("source", "")))
        average = float(np.mean([len(t) for t in tokens.ids])) if tokens.ids else 1.0
        return cls(ids, metadatas, model, vocabulary, key, average)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.model is not None:
            self.model.save(str(folder / "bm25"))
        (folder / "chunks.json").write_text(json.dumps({"ids": self.ids, "metadatas": self.metadatas,
                                                        "vocabulary": sorted(self.vocabulary),
                                                        "average_length": self.average_length}))

    @classmethod
    def load(cls, folder: Path, key: str = "") -> "BM25Index":
        data = json.loads((folder / "chunks.json").read_text())
        model = bm25s.BM25.load(str(folder / "bm25")) if data["ids"] else None
        return cls(data["ids"], data["metadatas"], model, set(data["vocabulary"]), key, data.get("average_length", 0.0))

    def search(self, query: str, k: int, filters=None) -> list[tuple[str, float]]:
        """Top chunks by BM25: the base index (minus removed chunks) and the incremental ones, on one scale."""
        hits: list[tuple[str, float]] = []
        if self.model is not None and self.ids:
            mask = ~self.removed
            if filters is not None and not filters.is_empty():
                mask = mask & self.filter_mask(filters)
            languages = query_languages(query, self.languages)
            tokens = tokenize([query]) if languages == {ENGLISH} else [query_terms(query, languages)]
            if (tokens.vocab if languages == {ENGLISH} else tokens[0]) and mask.any():
                weights = None if mask.all() else mask.astype(np.float32)
                results, scores = self.model.retrieve(tokens, k=min(k, len(self.ids)), show_progress=False,
                                                      weight_mask=weights, n_threads=1)
                hits = [(self.ids[int(i)], float(s)) for i, s in zip(results[0], scores[0]) if s > 0]
        if self.delta:
            hits += self.score_delta(query, filters)
        return sorted(hits, key=lambda pair: -pair[1])[:k]

    def score_delta(self, query: str, filters=None) -> list[tuple[str, float]]:
        """BM25 (Lucene variant, as bm25s) of the incremental chunks, with the base's document frequencies."""
        terms = set(query_terms(query, query_languages(query, self.languages)))
        total = len(self.ids) + len(self.delta)
        frequency = self.document_frequency
        k1, b = (self.model.k1, self.model.b) if self.model is not None else (1.5, 0.75)
        scored = []
        conditions = filters.conditions() if filters is not None else []  # once, not per chunk
        for chunk_id, (meta, counts, length) in self.delta.items():
            if not all(condition.holds(meta) for condition in conditions):
                continue
            score = 0.0
            for term in terms & counts.keys():
                df = frequency.get(term, 0) + 1  # the chunk itself has the term
                idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
                tf = counts[term]
                score += idf * tf / (k1 * ((1 - b) + b * length / self.average_length) + tf)
            if score > 0:
                scored.append((chunk_id, score))
        return scored


CACHE_FORMAT = "v3"  # bump when the tokenizer changes, so older caches are not read (v3: per-language stems)


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

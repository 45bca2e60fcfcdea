"""Opening Chroma (a folder on disk or a server) and saying in one line why it failed.

Apart from store.py, whose ChunkStore is the one door for reads and writes: the commands that only
read or delete open the client and ask which embedder filled the collection without loading one.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings


class StoreError(RuntimeError):
    pass


class EmbeddingMismatchError(StoreError):
    pass


class IndexBusyError(StoreError):
    """Another process kept the index's write lock for longer than we were willing to wait."""


LOW_DISK_BYTES = 64_000_000  # below this much free space, a failing Chroma write or read is a full disk


def disk_full(folder: Path | None) -> str:
    """"the disk holding X is full (N bytes left)" when it nearly is, else "" (Chroma's errors never say so)."""
    import shutil
    if folder is None:
        return ""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return ""
    return f"the disk holding {folder} is full ({free:,} bytes left)" if free < LOW_DISK_BYTES else ""


def store_problem(folder: Path | None, action: str, exc: Exception) -> StoreError:
    """One line for a Chroma error: a full disk said as such (what was stored before stays), else Chroma's words."""
    full = disk_full(folder)
    if full:
        return StoreError(f"{full}: cannot {action}; free some space and try again (what was stored before is intact)")
    return StoreError(f"{folder or 'the Chroma server'}: cannot {action} ({str(exc).splitlines()[0][:200]})")


def make_client(index_dir: Path, chroma_url: str | None) -> chromadb.ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        parsed = urlparse(chroma_url)
        if not parsed.hostname:
            raise StoreError(f"chroma_url {chroma_url!r} is not a URL like http://127.0.0.1:8000")
        try:
            return chromadb.HttpClient(host=parsed.hostname, port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                                       ssl=parsed.scheme == "https", settings=chroma_settings)
        except Exception as exc:  # chromadb raises plain ValueError/ConnectError here
            raise StoreError(f"cannot reach the Chroma server at {chroma_url} ({str(exc).splitlines()[0]}); "
                             "start it with `chroma run` or unset ASSISTANT_CHROMA_URL") from None
    if index_dir.exists() and not index_dir.is_dir():
        raise StoreError(f"{index_dir}: the index path is a file, not a folder; choose another --index")
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(index_dir), settings=chroma_settings)
    except OSError as exc:
        raise StoreError(f"{index_dir}: cannot open the index folder ({exc.strerror or exc})") from None
    except Exception as exc:  # a corrupt chroma.sqlite3 and friends
        if disk_full(index_dir):
            raise store_problem(index_dir, "open the index", exc) from None
        raise StoreError(f"{index_dir}: cannot open the index ({str(exc).splitlines()[0][:160]}); "
                         "move it aside and ingest again, or run `assistant check --repair`") from None




def stored_embedding(client: chromadb.ClientAPI, name: str,
                     folder: Path | None = None) -> tuple[str, int, str | None] | None:
    """The embedding model, dimension and vector family (None for stores older than the family key) a collection
    was built with, None when there is no such collection.

    Commands that only read or delete (stats, list, remove) open the store under this identity, so they
    never load an embedder they do not use.
    """
    try:
        found = [c for c in client.list_collections() if getattr(c, "name", c) == name]
        if not found:
            return None
        meta = client.get_collection(name).metadata or {}
    except Exception as exc:  # a damaged or full store: one line, like every other read
        raise store_problem(folder, "read the index", exc) from None
    return (str(meta.get("embedding_model", "")), int(meta.get("embedding_dim", 0) or 0),
            meta.get("embedding_family"))


def reopen_client(index_dir: Path) -> chromadb.ClientAPI:
    """A fresh on-disk client: Chroma shares one system per folder per process, so drop it first."""
    from chromadb.api.client import SharedSystemClient
    SharedSystemClient.clear_system_cache()
    return make_client(index_dir, None)

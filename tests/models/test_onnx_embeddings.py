"""The ONNX Runtime path runs the same packaged weights: its vectors agree with sentence-transformers'."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.models

TEXTS = ["Iran fired missiles at two air bases in Iraq on Wednesday.", "The council voted 7 to 2 to approve the chip plant.",
         "Lanterns", "Ismail Qaani, a longtime deputy of General Suleimani, now leads the Quds Force. " * 12]


@pytest.fixture(scope="module")
def torch_vectors():
    from assistant.models.embeddings import get_embeddings
    return get_embeddings("all-MiniLM-L6-v2").encode(TEXTS)


@pytest.mark.parametrize(("backend", "floor"), [("onnx", 0.9999), ("onnx-int8", 0.9)])
def test_onnx_vectors_agree_with_torch_in_any_batch_order(torch_vectors, backend, floor):
    from assistant.models.embeddings import get_embeddings
    onnx = get_embeddings("all-MiniLM-L6-v2", backend=backend)
    assert onnx.family == ("fp32" if backend == "onnx" else "int8")  # what a store records (tests/test_store.py)
    vectors = onnx.encode(TEXTS)
    assert vectors.shape == torch_vectors.shape
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert (vectors * torch_vectors).sum(axis=1).min() >= floor
    # ranking agrees: each text's nearest neighbour among the torch vectors is itself
    assert list((vectors @ torch_vectors.T).argmax(axis=1)) == list(range(len(TEXTS)))
    # alone or in a batch: fp32 gives the same vector; int8 quantizes activations per batch, so only close
    single = onnx.encode([TEXTS[2]])[0]
    assert float(single @ vectors[2]) >= (0.99999 if backend == "onnx" else 0.95)

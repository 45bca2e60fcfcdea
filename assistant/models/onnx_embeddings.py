"""The packaged all-MiniLM-L6-v2 run by ONNX Runtime: exported locally from the packaged weights (no download).

The export (and, for "onnx-int8", a dynamic int8 quantization) happens once into the cache folder;
afterwards the model loads without torch. Mean pooling and normalisation match sentence-transformers,
so the vectors agree with the torch path (docs/scale.md gives the measured agreement and speed).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.models.lock import MODEL_LOCK
from assistant.settings import EMBEDDING_FAMILIES

_export_lock = threading.Lock()


def keyword_forward_class():
    """A module whose positional forward() passes keywords on: BERT's own forward() has changed its positional order."""
    import torch

    class KeywordForward(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    return KeywordForward


def export(model_dir: Path, target: Path, quantize: bool) -> Path:
    """Write model.onnx (and model-int8.onnx) for the sentence-transformers folder, once."""
    fp32 = target / "model.onnx"
    int8 = target / "model-int8.onnx"
    with _export_lock:
        if not fp32.exists():
            import torch
            from transformers import AutoModel
            KeywordForward = keyword_forward_class()
            target.mkdir(parents=True, exist_ok=True)
            model = KeywordForward(AutoModel.from_pretrained(str(model_dir)).eval())
            sample = {"input_ids": torch.ones(1, 8, dtype=torch.long), "attention_mask": torch.ones(1, 8, dtype=torch.long),
                      "token_type_ids": torch.zeros(1, 8, dtype=torch.long)}
            axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                    "token_type_ids": {0: "batch", 1: "tokens"}, "last_hidden_state": {0: "batch", 1: "tokens"}}
            partial = target / "model.onnx.partial"
            torch.onnx.export(model, (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]), str(partial),
                              input_names=list(sample), output_names=["last_hidden_state"], dynamic_axes=axes,
                              opset_version=17, dynamo=False)
            partial.replace(fp32)
        if quantize and not int8.exists():
            from onnxruntime.quantization import QuantType, quantize_dynamic
            partial = target / "model-int8.onnx.partial"
            quantize_dynamic(str(fp32), str(partial), weight_type=QuantType.QInt8)
            partial.replace(int8)
    return int8 if quantize else fp32


class OnnxEmbeddings(Embeddings):
    def __init__(self, name: str, model_dir: Path, cache_dir: Path, quantize: bool = False, batch_size: int = 32,
                 threads: int = 2):
        import onnxruntime
        from tokenizers import Tokenizer
        self.name = name
        self.family = EMBEDDING_FAMILIES["onnx-int8" if quantize else "onnx"]  # which vectors it writes
        self.batch_size = batch_size
        path = export(model_dir, cache_dir / f"{name}-onnx", quantize)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        config = json.loads((model_dir / "sentence_bert_config.json").read_text())
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(int(config.get("max_seq_length", 256)))
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.dimension = int(json.loads((model_dir / "config.json").read_text())["hidden_size"])

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = []
        with MODEL_LOCK:
            # sort by length so each batch pads little (the order is restored below)
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            for start in range(0, len(order), self.batch_size):
                batch = [texts[i] for i in order[start:start + self.batch_size]]
                encodings = self.tokenizer.encode_batch(batch)
                ids = np.array([e.ids for e in encodings], dtype=np.int64)
                mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
                hidden = self.session.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask,
                                                                  "token_type_ids": np.zeros_like(ids)})[0]
                summed = (hidden * mask[..., None]).sum(axis=1)
                pooled = summed / np.clip(mask.sum(axis=1, keepdims=True), 1, None)
                out.append(pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None))
        vectors = np.concatenate(out).astype(np.float32)
        restored = np.empty_like(vectors)
        restored[order] = vectors
        return restored

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

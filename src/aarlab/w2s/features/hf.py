"""`hf:<name-or-path>[?pool=mean|last&layer=-1&max_length=256&batch_size=16]`: hidden states
of any transformers model, mean- or last-token pooled at one layer.

`name-or-path` is a local directory or a hub id already in the local Hugging Face cache (the
hub is never contacted). `layer` indexes `hidden_states` (0 = embeddings, -1 = last layer).
Texts are padded on the right: with a causal model the last real token then never attends to a
pad, and absolute positions start at 0 for every text. The last real token is found from the
attention mask, so a tokenizer padding on the left would be pooled correctly too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from aarlab.w2s.features.base import Backend, BackendError, BackendSpec, register
from aarlab.w2s.features.identity import dir_digest, fingerprint_of
from aarlab.w2s.features.sbert import force_offline, quiet_load

DEFAULTS = {"pool": "mean", "layer": "-1", "max_length": "256", "batch_size": "16"}
POOLS = ("mean", "last")


def resolve_dir(target: str) -> Path:
    """A local model directory, or the cached snapshot of a hub id (never downloaded)."""
    if Path(target).expanduser().is_dir():
        return Path(target).expanduser().resolve()
    force_offline()
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(target, local_files_only=True))
    except Exception as e:  # the hub library raises several unrelated types for "not there"
        raise BackendError(f"hf:{target}: not a local directory and not in the Hugging Face "
                           f"cache; download it on a machine with access, or pass a path") from e


class HFBackend:
    def __init__(self, target: str, pool: str, layer: int, max_length: int, batch_size: int):
        self.target, self.pool, self.layer = target, pool, layer
        self.max_length, self.batch_size = max_length, batch_size
        self.path = resolve_dir(target)
        self._dim: int | None = None
        self._model: Any = None
        self._tok: Any = None

    @property
    def name(self) -> str:
        opts = {"pool": self.pool, "layer": str(self.layer), "max_length": str(self.max_length),
                "batch_size": str(self.batch_size)}
        return str(BackendSpec("hf", self.target, opts))

    @property
    def dim(self) -> int:
        if self._dim is None:
            force_offline()
            from transformers import AutoConfig

            config = AutoConfig.from_pretrained(self.path)
            config = getattr(config, "text_config", None) or config
            self._dim = int(config.hidden_size)
        return self._dim

    def fingerprint(self) -> str:
        # batch_size is left out: it changes speed, not the vectors
        opts = {"pool": self.pool, "layer": self.layer, "max_length": self.max_length}
        return fingerprint_of("hf", dir_digest(self.path), opts)

    def load(self) -> tuple[Any, Any]:
        if self._model is None:
            force_offline()
            import torch
            from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

            tok = AutoTokenizer.from_pretrained(self.path)
            tok.padding_side = "right"
            if tok.pad_token is None:  # GPT-style tokenizers: any token will do under the mask
                tok.pad_token = tok.eos_token or tok.unk_token or tok.bos_token
            if tok.pad_token is None:
                raise BackendError(f"hf:{self.target}: the tokenizer has no pad, eos, unk or bos "
                                   f"token to pad batches with")
            with quiet_load():
                try:
                    model = AutoModel.from_pretrained(self.path, dtype=torch.float32)
                except ValueError:  # a config only registered for causal LM heads
                    model = AutoModelForCausalLM.from_pretrained(self.path, dtype=torch.float32)
            self._tok, self._model = tok, model.eval()
        return self._tok, self._model

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        import torch

        tok, model = self.load()
        enc = tok(texts, padding=True, truncation=True, max_length=self.max_length,
                  return_tensors="pt")
        mask = enc["attention_mask"]  # (b, t)
        with torch.inference_mode():
            out = model(input_ids=enc["input_ids"], attention_mask=mask, output_hidden_states=True)
        n_states = len(out.hidden_states)  # embeddings + one per layer
        if not -n_states <= self.layer < n_states:
            raise BackendError(f"{self.name}: layer={self.layer} is out of range for a model with "
                               f"{n_states} hidden states (use {-n_states}..{n_states - 1})")
        h = out.hidden_states[self.layer].float()  # (b, t, d)
        if self.pool == "mean":
            m = mask.unsqueeze(-1).to(h.dtype)  # (b, t, 1)
            pooled = (h * m).sum(1) / m.sum(1).clamp(min=1.0)  # (b, d)
        else:
            t = mask.shape[1]
            last = t - 1 - mask.flip(1).argmax(1)  # index of the last real token, either side (b,)
            pooled = h[torch.arange(h.shape[0]), last]  # (b, d)
        return pooled.numpy().astype(np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        # sort by length so that each sub-batch pads little; scatter back to input order
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for s in range(0, len(order), self.batch_size):
            idx = order[s:s + self.batch_size]
            out[idx] = self._encode_batch([texts[i] for i in idx])
        return out


def _int_option(spec: BackendSpec, key: str, minimum: int | None = None) -> int:
    raw = spec.options.get(key, DEFAULTS[key])
    try:
        value = int(raw)
    except ValueError:
        raise BackendError(f"{spec}: option {key}={raw!r} is not an integer") from None
    if minimum is not None and value < minimum:
        raise BackendError(f"{spec}: option {key}={value} must be >= {minimum}")
    return value


@register("hf")
def _hf(spec: BackendSpec) -> Backend:
    if not spec.target:
        raise BackendError("the hf backend needs a model: 'hf:<name-or-path>[?pool=mean|last"
                           "&layer=-1&max_length=256]'")
    unknown = sorted(set(spec.options) - set(DEFAULTS))
    if unknown:
        raise BackendError(f"{spec}: unknown option(s) {unknown}; accepted: {sorted(DEFAULTS)}")
    pool = spec.options.get("pool", DEFAULTS["pool"])
    if pool not in POOLS:
        raise BackendError(f"{spec}: pool={pool!r}; accepted: {', '.join(POOLS)}")
    return HFBackend(spec.target, pool, _int_option(spec, "layer"),
                     _int_option(spec, "max_length", 1), _int_option(spec, "batch_size", 1))

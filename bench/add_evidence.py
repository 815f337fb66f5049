"""What a reviewer waits for after adding one passage on the review screen: the index update plus
re-ranking the current claim. Ours extends the index built in this process (only the new passage
is read, embedded and tokenised; BM25 weights are recomputed from kept term counts; files
rewritten). Two baselines from the same run: the rebuild this replaced (every passage read and
tokenised again, vectors from the cache, the new one embedded) and a first build from nothing
(every passage embedded). Measured on the demo corpus and, with
``--passages``, on a larger corpus of synthetic passages whose vectors are written straight into the
cache (as in review_latency.py): there the first build embeds only the demo passages.

    .venv/bin/python bench/add_evidence.py [--runs 3] [--passages 20000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.common import markdown_table  # noqa: E402
from bench.review_latency import add_synthetic_passages  # noqa: E402
from checks import actions, articles, retrieval  # noqa: E402
from checks.actions import Actor  # noqa: E402
from checks.config import load_settings  # noqa: E402
from checks.embedding import Encoder  # noqa: E402
from checks.service import Workbench  # noqa: E402

EDITOR = Actor("bench")


def fresh(folder: Path, encoder: Encoder, synthetic: int) -> tuple[Workbench, int]:
    """A seeded workbench with the demo article loaded (and synthetic passages), and a claim id."""
    workbench = Workbench(load_settings(folder))
    workbench._encoder = encoder
    workbench.seed_demo_data()
    if synthetic:
        add_synthetic_passages(workbench, synthetic)
    saved = actions.ingest_article(workbench.store, EDITOR, workbench.demo_article(), encoder=encoder)
    return workbench, articles.article_claims(workbench.store, saved.article_id)[0]["id"]


def seconds(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def add_one(workbench: Workbench, text: str) -> None:
    pasted = actions.pasted_passage(text, "err.ee")
    actions.import_evidence(workbench.store, EDITOR, [pasted], origin=actions.PASTED)


def measure(root: Path, encoder: Encoder, synthetic: int, runs: int) -> tuple[list[float], list[float], list[float], int]:
    """Seconds of (first builds, full rebuilds after adding a passage, our updates after adding one), corpus size."""
    firsts, rebuilds, updates = [], [], []
    for run in range(runs):
        workbench, claim = fresh(root / f"{synthetic}-{run}", encoder, synthetic)
        firsts.append(seconds(workbench.index))  # nothing embedded yet
        workbench.rank([claim])
        add_one(workbench, f"Officials in Minsk said on day {run} that 32 people were held overnight.")

        def rebuild(w: Workbench = workbench, c: int = claim) -> None:
            w._index = retrieval.build_index(w.store, w.encoder, w.settings.index_dir)  # no previous index: from all
            w.rank([c])

        rebuilds.append(seconds(rebuild))
        add_one(workbench, f"Witnesses in Minsk counted 40 people held on day {run}.")
        updates.append(seconds(lambda w=workbench, c=claim: (w.index(), w.rank([c]))))
        size = len(workbench.index())
        workbench.store.close()
    return firsts, rebuilds, updates, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--passages", type=int, default=0, help="also measure with this many synthetic passages")
    args = parser.parse_args()
    encoder = Encoder()
    encoder.encode(["warm up"])
    rows, headline = [], ""
    with tempfile.TemporaryDirectory() as folder:
        for synthetic in [0] + ([args.passages] if args.passages else []):
            *timings, size = measure(Path(folder), encoder, synthetic, args.runs)
            first, rebuild, update = (statistics.median(values) * 1000 for values in timings)
            label = "demo" if not synthetic else f"demo + {synthetic:,} synthetic"
            rows.append((f"{label} ({size:,} passages)", first, rebuild, update, update / rebuild, args.runs))
            if not synthetic:
                headline = (
                    f"adding one passage to the demo corpus: index update + re-rank {update:.0f} ms vs full rebuild "
                    f"{rebuild:.0f} ms (ratio {update / rebuild:.3f}); first build {first:.0f} ms"
                )
    header = ["corpus", "first build ms", "baseline: full rebuild + re-rank ms", "ours: extend + re-rank ms", "ratio", "runs"]
    print(markdown_table(header, rows))
    print(headline)


if __name__ == "__main__":
    main()

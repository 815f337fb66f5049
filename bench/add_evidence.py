"""What a reviewer waits for after adding one passage on the review screen: the index update (only
the new passage is embedded, since vectors are cached by text hash; BM25 and the on-disk files are
rebuilt) plus re-ranking the current claim, against the baseline of building the index from
nothing (every passage embedded), measured in the same run on the demo corpus and, with
``--passages``, on a larger corpus of synthetic passages whose vectors are written straight into the
cache (as in review_latency.py): there the baseline embeds only the demo passages, so it
understates a true first build and the ratio overstates the update's share.

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
from checks import actions, articles  # noqa: E402
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


def measure(root: Path, encoder: Encoder, synthetic: int, runs: int) -> tuple[list[float], list[float], int]:
    """(full builds, index updates + re-rank after one added passage) in seconds, and the corpus size."""
    builds, updates = [], []
    for run in range(runs):
        workbench, claim = fresh(root / f"{synthetic}-{run}", encoder, synthetic)
        builds.append(seconds(workbench.index))  # baseline: nothing embedded yet
        workbench.rank([claim])
        pasted = actions.pasted_passage(f"Officials in Minsk said on day {run} that 32 people were held overnight.", "err.ee")
        actions.import_evidence(workbench.store, EDITOR, [pasted], origin=actions.PASTED)
        updates.append(seconds(lambda w=workbench, c=claim: (w.index(), w.rank([c]))))
        size = len(workbench.index())
        workbench.store.close()
    return builds, updates, size


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
            builds, updates, size = measure(Path(folder), encoder, synthetic, args.runs)
            build, update = statistics.median(builds), statistics.median(updates)
            label = "demo" if not synthetic else f"demo + {synthetic:,} synthetic"
            rows.append((f"{label} ({size:,} passages)", build * 1000, update * 1000, update / build, args.runs))
            if not synthetic:
                headline = (
                    f"adding one passage to the demo corpus: index update + re-rank {update * 1000:.0f} ms vs full build "
                    f"{build * 1000:.0f} ms (ratio {update / build:.3f})"
                )
    print(
        markdown_table(
            ["corpus", "baseline: full build ms (median)", "ours: add one passage, update + re-rank ms", "ratio", "runs"], rows
        )
    )
    print(headline)


if __name__ == "__main__":
    main()

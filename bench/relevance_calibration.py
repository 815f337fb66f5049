"""Benchmark of checks/relevance.py on SciFact TEST claims: does the calibrated probability tell a screen that
holds evidence from one that does not, and is it calibrated?

The 300 SciFact dev claims (BEIR's test split; never used by bench/fit_relevance.py) are ranked through the
product path — abstracts split into passages as the corpus import splits them, library ``fuse``, top 10 —
once with their gold abstracts in the corpus and once with them removed (600 screens). Measured in one run,
for the shipped calibration and two baselines, the raw top fused score and the raw top dense cosine:

* AUC of "the screen shows a relevant candidate" from the screen's top score (also against "the gold
  abstracts are in the corpus");
* precision, recall and balanced accuracy of the "no match" state (no candidate above the weak threshold; for the baselines,
  top score below a cut chosen by the same rule — maximum Youden J — on the training screens of
  bench/fit_relevance.py);
* expected calibration error (10 equal-width bins) and Brier score of the per-candidate scores read as
  probabilities (the dense cosine clipped to [0, 1]);
* a paired bootstrap over claims of the AUC difference, ours − top dense cosine.

Run from the repository root (the report is printed and written to bench/results/relevance_calibration.md):

    python bench/relevance_calibration.py
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: make `checks` and `bench` importable
    sys.path.insert(0, str(REPO))

from bench.common import RESULTS, markdown_table  # noqa: E402
from bench.fit_relevance import (  # noqa: E402
    SCIFACT,
    SentenceVectors,
    Source,
    build_examples,
    expected_calibration_error,
    no_match_precision_recall,
    rank_screens,
    scifact_corpus,
    scifact_test_claims,
    training_sources,
    youden_threshold,
)
from bench.retrieval_scifact import log  # noqa: E402
from checks import relevance  # noqa: E402
from checks.embedding import Encoder  # noqa: E402
from checks.vocab import RelevanceLabel  # noqa: E402

BOOTSTRAP = 2000


def baseline_cuts(encoder: Encoder) -> dict[str, float]:
    """No-match cuts of the two baselines, chosen on the training screens by the rule the weak threshold uses."""
    tops: dict[str, list[float]] = {"fused": [], "dense": []}
    has_relevant: list[bool] = []
    for source in training_sources(encoder):
        log(f"{source.corpus.name}: ranking the training claims for the baselines' cuts …")
        for screen in rank_screens(source.corpus, source.claims, encoder.encode([c.text for c in source.claims])):
            tops["fused"].append(float(screen.fused.max()))
            tops["dense"].append(max(c["dense"] for c in screen.candidates))
            has_relevant.append(screen.has_relevant)
    return {name: youden_threshold(np.array(values), np.array(has_relevant)) for name, values in tops.items()}


def bootstrap_auc_difference(
    ours: np.ndarray, baseline: np.ndarray, truth: np.ndarray, claim_of: np.ndarray, seed: int = 0
) -> tuple[float, float]:
    """95% percentile interval of AUC(ours) − AUC(baseline), claims resampled with both their screens."""
    rng = np.random.default_rng(seed)
    claims = np.unique(claim_of)
    members = {c: np.flatnonzero(claim_of == c) for c in claims}
    differences = []
    for _ in range(BOOTSTRAP):
        rows = np.concatenate([members[c] for c in rng.choice(claims, size=len(claims))])
        if truth[rows].all() or not truth[rows].any():
            continue
        differences.append(roc_auc_score(truth[rows], ours[rows]) - roc_auc_score(truth[rows], baseline[rows]))
    low, high = np.percentile(differences, [2.5, 97.5])
    return float(low), float(high)


def main() -> int:
    if not (SCIFACT / "corpus.jsonl").exists() or not (SCIFACT / "queries_test.jsonl").exists():
        print(f"SciFact not found at {SCIFACT} (expected corpus.jsonl, queries_test.jsonl, qrels/test.tsv); skipping.")
        return 0
    load_start = os.getloadavg()[0]
    encoder = Encoder()
    calibration = relevance.load_calibration()
    corpus = scifact_corpus(encoder)
    claims = scifact_test_claims()
    examples = build_examples(encoder, SentenceVectors(encoder), [Source(corpus, claims, "SciFact test")])
    cuts = baseline_cuts(encoder)
    loads = f"{load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"

    relevant = examples.relevant
    ours = np.array([calibration.probability(row) for row in examples.features])
    scores = {
        "ours": ours,
        "fused": np.concatenate([screen.fused for screen in examples.screens]),
        "dense": np.array([c["dense"] for screen in examples.screens for c in screen.candidates]),
    }
    cuts["ours"] = calibration.weak
    on_screen = examples.screen_has_relevant()
    in_corpus = np.array([screen.gold_in_corpus for screen in examples.screens])
    claim_of = np.array([claims.index(screen.claim) for screen in examples.screens])
    tops = {name: examples.top(values) for name, values in scores.items()}
    aucs = {name: roc_auc_score(on_screen, top) for name, top in tops.items()}

    labels = {
        "ours": "**calibrated relevance (checks/relevance.py), highest on the screen**",
        "fused": "baseline: top fused score",
        "dense": "baseline: top dense cosine",
    }
    rows = []
    for name, label in labels.items():
        precision, recall = no_match_precision_recall(tops[name], cuts[name], on_screen)
        # the rule the cuts were chosen by (Youden J): mean of the recalls of "no match" and "match"
        balanced = (recall + float(np.mean(tops[name][on_screen] >= cuts[name]))) / 2
        as_probability = np.clip(scores[name], 0.0, 1.0)
        rows.append(
            [
                label,
                aucs[name],
                roc_auc_score(in_corpus, tops[name]),
                f"{cuts[name]:.3f}",
                precision,
                recall,
                balanced,
                expected_calibration_error(as_probability, relevant),
                float(np.mean((as_probability - relevant) ** 2)),
            ]
        )
    low, high = bootstrap_auc_difference(tops["ours"], tops["dense"], on_screen, claim_of)
    label_rows = []
    for label in RelevanceLabel:
        chosen = np.array([calibration.label(p) == label for p in ours])
        label_rows.append(
            [
                label.value,
                int(chosen.sum()),
                float(chosen.mean()),
                float(relevant[chosen].mean()) if chosen.any() else float("nan"),
                float(ours[chosen].mean()) if chosen.any() else float("nan"),
            ]
        )
    report = [
        "# Relevance calibration benchmark — checks/relevance.py on SciFact test",
        "",
        f"Run {datetime.now(UTC).isoformat(timespec='seconds')} · {os.cpu_count()} CPU cores · load average (1 min) {loads}.  ",
        f"{len(claims)} SciFact test claims × 2 conditions (gold abstracts in the corpus / removed) = {len(examples.screens)} "
        f"screens of up to 10 candidates ({len(relevant):,} candidates, {relevant.mean():.1%} relevant); "
        f"{on_screen.mean():.1%} of screens show a relevant candidate ({on_screen[in_corpus].mean():.1%} of those with the "
        "gold in the corpus).  ",
        f"Calibration: `data/relevance_calibration.json`, fitted {calibration.provenance.get('fitted_at')} on training data "
        f"only; thresholds weak {calibration.weak:.3f}, strong {calibration.strong:.3f}.",
        "",
        markdown_table(
            [
                "score",
                "AUC: relevant candidate on screen",
                "AUC: gold in corpus",
                "no-match cut (from training)",
                "no-match precision",
                "no-match recall",
                "no-match balanced accuracy",
                "ECE (per candidate)",
                "Brier",
            ],
            rows,
        ),
        "",
        f"Paired bootstrap over claims ({BOOTSTRAP} resamples): AUC ours − top dense cosine {aucs['ours'] - aucs['dense']:+.3f} "
        f"[{low:+.3f}, {high:+.3f}].",
        "",
        "Labels on the test candidates:",
        "",
        markdown_table(["label", "candidates", "share", "relevant", "mean probability"], label_rows),
        "",
        f"no-evidence AUC {aucs['ours']:.3f} (top dense cosine {aucs['dense']:.3f})",
    ]
    text = "\n".join(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "relevance_calibration.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

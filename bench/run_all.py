"""Run every benchmark in turn (``make bench``); each prints its own table and skips cleanly when
its dataset is not beside the project."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = [
    "retrieval_scifact.py",
    "checkworthiness.py",
    "news_checkworthiness.py",
    "claim_matching_clef2020.py",
    "relevance_calibration.py",
    "review_latency.py",
    "add_evidence.py",
    "hostile_input.py",
    "source_ratings.py",
]


def main() -> int:
    failed = []
    for script in SCRIPTS:
        print(f"\n## {script}\n", flush=True)
        if subprocess.run([sys.executable, str(BENCH / script)], check=False).returncode != 0:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

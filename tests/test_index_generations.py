"""A rebuild of the on-disk evidence index never changes a file another process has memory-mapped:
each build is a new generation folder and the manifest switches atomically (before this, a rebuild
while the app read the index killed the reader with SIGBUS)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from checks import actions
from checks.actions import Actor
from checks.ingest import ArticleDraft

# The reader keeps every generation it mapped and touches all of them until told to stop.
READER = r"""
import json, sys, time
from pathlib import Path
import numpy as np
folder, stop = Path(sys.argv[1]), Path(sys.argv[2])
mapped, seen = [], set()
while not stop.exists():
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
        if manifest["generation"] not in seen:
            mapped.append(np.load(folder / manifest["generation"] / "vectors.npy", mmap_mode="r"))
            seen.add(manifest["generation"])
    except (OSError, ValueError, KeyError):
        pass  # between a generation's removal and our next look: the next round finds the new one
    total = sum(float(np.asarray(v).sum()) for v in mapped)  # reads every page of every mapping
    time.sleep(0.01)
print(len(seen))
"""


@pytest.mark.model
def test_rebuilding_while_another_process_reads_crashes_nothing(workbench, tmp_path):
    workbench.index()
    folder = next(p for p in workbench.settings.index_dir.iterdir() if (p / "manifest.json").exists())
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(folder), str(stop)], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        for number in range(4):  # each new document changes the corpus: a new generation replaces the last
            text = f"Officials in Minsk reported {number + 40} arrests on day {number} of the protests."
            actions.import_evidence(workbench.store, Actor("Ann"), [ArticleDraft(f"Report {number}", text)], "test")
            workbench.index()
            time.sleep(0.5)
    finally:
        stop.write_text("done")
    output, _ = reader.communicate(timeout=120)
    assert reader.returncode == 0, f"the reader died (exit {reader.returncode}) while the index was rebuilt"
    assert int(output.strip()) >= 2  # it really read across generations
    generations = sorted(p.name for p in folder.glob("gen-*"))
    assert json.loads((folder / "manifest.json").read_text())["generation"] in generations
    assert len(generations) == 1 and not (folder / "vectors.npy").exists()  # old generations and layouts cleaned up

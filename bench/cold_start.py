"""Cold start of the app as a user sees it: from `streamlit run` on an empty data folder to the first
ranked candidates on the review screen, in headless Chromium (Debian's build).

    .venv/bin/python bench/cold_start.py [--runs 3]

Steps timed: server up (health check answers), first page rendered (the sign-in form), signed in,
demo article loaded, first ranked candidates shown (model load + embedding the demo corpus +
ranking happen here). The data folder holds only a database with one account, as a newsroom's
first day would after the admin created it.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from checks import actions  # noqa: E402
from checks.actions import Actor  # noqa: E402
from checks.store import Store  # noqa: E402
from checks.vocab import Role  # noqa: E402

PASSWORD = "cold start benchmark"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def one_run(chromium: str) -> dict[str, float]:
    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        store = Store(Path(data_dir) / "workbench.db")
        actions.add_account(store, Actor("bench setup", Role.ADMIN), "bench", Role.EDITOR, password=PASSWORD)
        store.close()
        start = time.perf_counter()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "workbench.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=REPO,
            env={**os.environ, "WORKBENCH_DATA_DIR": data_dir},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        marks: dict[str, float] = {}
        try:
            while True:
                try:
                    if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).read() == b"ok":
                        break
                except OSError:
                    time.sleep(0.1)
            marks["server up"] = time.perf_counter() - start
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{port}/")
                expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=120_000)
                marks["first page"] = time.perf_counter() - start
                page.get_by_label("Name").fill("bench")
                page.get_by_label("Password", exact=True).fill(PASSWORD)
                page.get_by_role("button", name="Sign in", exact=True).click()
                expect(page.get_by_role("button", name="Load the demo article")).to_be_visible(timeout=120_000)
                marks["signed in"] = time.perf_counter() - start
                page.get_by_role("button", name="Load the demo article").click()
                expect(page.get_by_text("Added '")).to_be_visible(timeout=120_000)
                marks["demo article loaded"] = time.perf_counter() - start
                page.get_by_role("button", name="Review this article").click()
                evidence = re.compile(r"fused #1|Weak matches \(|No passage in the corpus clearly addresses")
                expect(page.get_by_text(evidence).first).to_be_visible(timeout=300_000)
                marks["first ranked candidates"] = time.perf_counter() - start
                browser.close()
        finally:
            server.terminate()
            server.wait(30)
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    if not Path(args.chromium).exists():
        print(f"{args.chromium} not found (install Debian's chromium, e.g. `make browser`): skipping.")
        return
    runs = [one_run(args.chromium) for _ in range(args.runs)]
    print("| step (seconds since `streamlit run`) | median | min | max |\n|---|---|---|---|")
    for step in runs[0]:
        values = [run[step] for run in runs]
        print(f"| {step} | {statistics.median(values):.1f} | {min(values):.1f} | {max(values):.1f} |")


if __name__ == "__main__":
    main()

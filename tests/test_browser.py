"""End-to-end test in a real browser: review a demo claim, then export it as CSV.

Starts ``streamlit run workbench.py`` on a free port with an empty data folder and drives it with
headless Chromium (the system's Debian build, not a downloaded one). Without Chromium the test is
skipped, unless ``WORKBENCH_REQUIRE_BROWSER=1`` (set by CI) makes a missing browser a failure.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT_DIR = REPO_ROOT / "test-output"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT_S = 120
# The first visit to the review page embeds the demo corpus: slow on small CI machines.
MODEL_TIMEOUT_MS = 120_000
UI_TIMEOUT_MS = 30_000
REVIEWER = "admin"  # the first admin, signed in with the one-time password the server printed
NEW_PASSWORD = "browser test password"
RATIONALE = "Official figures contradict this claim (browser test)."
# The ranked evidence is on screen: a strong match's card, or the line saying nothing addresses the
# claim (weak and unrelated passages are collapsed under it).
EVIDENCE_SHOWN = re.compile(r"fused #1|Weak matches \(|No passage in the corpus clearly addresses")

pytestmark = [pytest.mark.browser, pytest.mark.model]


def _missing(reason: str) -> None:
    """Skip, or fail when the environment says the browser test must run."""
    if os.environ.get("WORKBENCH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (WORKBENCH_REQUIRE_BROWSER=1, so this is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture
def chromium() -> str:
    """Path of the system Chromium; checked before the app is started."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("the playwright package is not installed (pip install -r requirements-dev.txt)")
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    found = shutil.which("chromium")
    if not found:
        _missing("Chromium not found (/usr/bin/chromium or `chromium` on PATH); install it with `make browser`")
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log_tail(log_path: Path, chars: int = 4000) -> str:
    try:
        return log_path.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no server log)"


def _wait_for_rerun(page) -> None:
    """Wait until the script run in progress has finished and stale elements are gone.

    Call it after waiting for something the new run draws, so the run is known to have started.
    """
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning", timeout=MODEL_TIMEOUT_MS)


def first_admin_password(log_path: Path) -> str:
    """The one-time password the server printed when it created the first admin account."""
    deadline = time.monotonic() + MODEL_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        found = re.search(r"one-time password (\S+) \(it must be changed", _log_tail(log_path, 100_000))
        if found:
            return found.group(1)
        time.sleep(0.5)
    pytest.fail("the server printed no one-time password for the first admin")


def sign_in_first_admin(page, log_path: Path) -> None:
    """Sign in as the first admin with the printed one-time password and choose a new one."""
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=MODEL_TIMEOUT_MS)
    page.get_by_label("Name").fill("admin")
    page.get_by_label("Password", exact=True).fill(first_admin_password(log_path))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    page.get_by_label("One-time (current) password").fill(first_admin_password(log_path))
    page.get_by_label(re.compile(r"^New password \(at least")).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save password").click()


@contextmanager
def running_app(data_dir: Path, log_path: Path, port: int | None = None, extra_args: tuple[str, ...] = ()) -> Iterator[str]:
    """``streamlit run workbench.py`` on 127.0.0.1 (a free port unless given) with this data folder,
    answering its health check; its address while it runs, stopped afterwards."""
    port = port or _free_port()
    env = {**os.environ, "WORKBENCH_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    command = [
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
        *extra_args,
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with code {process.returncode} before answering:\n{_log_tail(log_path)}")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.read().decode().strip() == "ok":
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit did not answer /_stcore/health within {STARTUP_TIMEOUT_S} s:\n{_log_tail(log_path)}")
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """A running app on a free port with an empty data folder; stopped afterwards."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with running_app(data_dir, tmp_path / "streamlit.log") as base:
        yield base


def test_review_a_claim_and_export_csv(chromium: str, app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    OUTPUT_DIR.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1200}, accept_downloads=True)
            page = context.new_page()
            page.set_default_timeout(UI_TIMEOUT_MS)
            expect.set_options(timeout=UI_TIMEOUT_MS)

            # First start: sign in as the first admin, then the Articles page (the default).
            page.goto(app_url)
            sign_in_first_admin(page, tmp_path / "streamlit.log")
            expect(page.get_by_role("heading", name="Articles", exact=True)).to_be_visible(timeout=MODEL_TIMEOUT_MS)
            sidebar = page.get_by_test_id("stSidebar")
            expect(sidebar.get_by_text(f"Signed in as {REVIEWER}")).to_be_visible()

            page.get_by_role("button", name="Load the demo article").click()
            added = page.get_by_text(re.compile(r"Added '.+' with \d+ claims\."))
            expect(added).to_be_visible(timeout=MODEL_TIMEOUT_MS)  # the first article loads the model

            # Review page: wait for the ranked evidence of the first claim.
            page.get_by_role("button", name="Review this article").click()
            expect(page.get_by_role("heading", name="Review", exact=True)).to_be_visible()
            expect(page.get_by_text(re.compile(r"Claim 1 of \d+"))).to_be_visible(timeout=MODEL_TIMEOUT_MS)
            _wait_for_rerun(page)
            expect(page.get_by_text(EVIDENCE_SHOWN).first).to_be_visible(timeout=MODEL_TIMEOUT_MS)

            page.get_by_role("button", name="Next ▶").click()
            expect(page.get_by_text(re.compile(r"Claim 2 of \d+"))).to_be_visible()
            _wait_for_rerun(page)  # the first claim's widgets linger, faded, until the run ends
            expect(page.get_by_text(EVIDENCE_SHOWN).first).to_be_visible(timeout=MODEL_TIMEOUT_MS)

            rationale = page.get_by_label("Rationale / note")
            rationale.fill(RATIONALE)
            rationale.press("Tab")  # a text area commits its value on blur
            disputed = page.get_by_role("button", name=re.compile(r"^Disputed"))  # the name ends with its shortcut hint
            expect(disputed).to_be_enabled()
            disputed.click()
            expect(page.get_by_text("Saved: disputed.")).to_be_visible()
            expect(page.get_by_text(re.compile(rf"Current verdict: disputed by {REVIEWER}"))).to_be_visible()
            _wait_for_rerun(page)
            page.screenshot(path=str(OUTPUT_DIR / "review-screen.png"), full_page=True)

            # Export page: download the CSV and check the one verdict it holds.
            sidebar.get_by_role("link", name="Export").click()
            expect(page.get_by_role("heading", name="Export verdicts", exact=True)).to_be_visible()
            expect(page.get_by_text("1 verdict matches.")).to_be_visible()
            _wait_for_rerun(page)
            with page.expect_download() as download_info:
                page.get_by_role("button", name="Export CSV").click()
            download = download_info.value
            assert download.suggested_filename == "verdicts.csv"
            saved = tmp_path / "verdicts.csv"
            download.save_as(saved)
        finally:
            browser.close()

    raw = saved.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV should start with a UTF-8 byte-order mark"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["verdict"] == "disputed"
    assert row["reviewer"] == REVIEWER
    assert RATIONALE in row["rationale"]
    assert row["claim_text"].strip()
    for column in ("article_domain", "source_rating_label"):
        assert column in row

"""In a real browser, hostile text passed through safe_md and highlight shows as typed and fetches
nothing: a tracking-pixel server on 127.0.0.1 counts requests while Streamlit renders it in every
Markdown place the pages use (markdown, caption, alert, badge with help, button and expander labels,
highlighted passages). The same text rendered raw does hit the pixel server, so the check can fail.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM_ARGS, REPO_ROOT, _free_port, _log_tail, chromium  # noqa: F401
from tests.test_safe_render import JOINER, _as_read

pytestmark = pytest.mark.browser

APP = '''
import json, os, sys
sys.path.insert(0, os.environ["WORKBENCH_REPO"])
import streamlit as st
from ui.common import highlight, safe_md

raw = st.query_params.get("mode") == "raw"
for number, text in enumerate(json.loads(os.environ["HOSTILE"])):
    with st.container(key=f"case_{number}", border=True):
        if raw:
            st.markdown(text)
            continue
        st.markdown(safe_md(text))
        st.caption(safe_md(text))
        st.error(safe_md(text))
        st.badge(safe_md(text), help=safe_md(text))
        st.markdown(f"<div class='passage'>{highlight(text, 0, min(6, len(text)))}</div>", unsafe_allow_html=True)
        st.markdown(highlight(text, 0, min(3, len(text))), unsafe_allow_html=True)
        st.button(safe_md(text), key=f"button_{number}")
        with st.expander(safe_md(text)):
            st.write("inside")
'''


def _hostile(pixel: str) -> list[str]:
    return [
        f"![]({pixel}/img.png)",
        f"[click]({pixel}/link) <{pixel}/auto> bare {pixel}/bare www.example.org spy@example.org",
        f'<img src="{pixel}/tag.png"> <b>bold?</b> &lt;x&gt;',
        f"<div>\n\n![]({pixel}/block.png)\n\n</div>",
        "# Heading\n- item\n1. one\n    code\n---",
        "**bold** _em_ ~~struck~~ `code` | a | b | snake_case",
        ":red[coloured] :blue-badge[badge] :material/thumb_up: :smile: :streamlit: 10:30:45",
        "$x^2$ cost $5 a -> b -- c >= d",
    ]


def test_hostile_text_renders_as_text_and_fetches_nothing(chromium, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    hits: list[str] = []

    class Pixel(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    pixel_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pixel)
    threading.Thread(target=pixel_server.serve_forever, daemon=True).start()
    hostile = _hostile(f"http://127.0.0.1:{pixel_server.server_port}")
    (tmp_path / "page.py").write_text(APP)
    port = _free_port()
    log_path = tmp_path / "streamlit.log"
    env = {**os.environ, "WORKBENCH_REPO": str(REPO_ROOT), "HOSTILE": json.dumps(hostile)}
    command = [sys.executable, "-m", "streamlit", "run", "page.py", "--server.headless", "true", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{_log_tail(log_path)}")
            time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                for mode in ("safe", "raw"):
                    hits.clear()
                    page.goto(f"{base}/?mode={mode}")
                    expect(page.locator(f".st-key-case_{len(hostile) - 1}")).to_be_visible(timeout=60_000)
                    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")
                    page.wait_for_timeout(1500)  # time for any image request to go out
                    main = page.get_by_test_id("stMain")
                    if mode == "raw":  # the control: the same text unescaped does fetch the pixel
                        assert hits and main.locator("img").count() > 0
                        continue
                    assert hits == []
                    assert main.locator("img").count() == 0 and main.locator("a").count() == 0
                    assert main.locator(".katex").count() == 0  # no LaTeX either
                    for number, text in enumerate(hostile):
                        box = page.locator(f".st-key-case_{number}")
                        shown = box.get_by_test_id("stMarkdown").first.inner_text().replace(JOINER, "")
                        assert shown == _as_read(text), text
            finally:
                browser.close()
    finally:
        pixel_server.shutdown()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)

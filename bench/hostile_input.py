"""Hostile input: what the bounded ingest and the safe fetcher cost and save, against the old path
measured in the same run.

Inputs are generated here (no dataset needed); servers run on 127.0.0.1 and stop by themselves.
  - HTML: an ordinary article page, a page with 4 MB of inline script around a short article, and
    "walls of text" of 4 and 8 MB. Baseline: trafilatura on the raw page, then the size check (the
    old ``parse_html``). Ours: ``parse_html`` (parse once, drop scripts, measure, then extract or refuse).
  - JSON: a 1,000-deep nest and a flat file of 4 million values. Baseline: ``json.loads``.
  - Fetching: a 45 MB page and a server that drips one byte every 0.5 s for 8 s. Baseline: urllib
    with the old ``fetch_url`` settings (read up to 50 MB, timeout=2 per socket operation). Ours:
    ``fetch_url(timeout=2)`` through :mod:`checks.fetch` (5 MB cap, 2 s in all).

    .venv/bin/python bench/hostile_input.py
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import statistics
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import trafilatura  # noqa: E402

from bench.common import RESULTS, markdown_table  # noqa: E402
from checks.errors import WorkbenchError  # noqa: E402
from checks.ingest import MAX_ARTICLE_CHARS, MAX_FILE_BYTES, fetch_url, parse_html, parse_text, parse_upload  # noqa: E402

SENTENCE = "Police detained 32 people in Minsk on Sunday, the interior ministry said in a statement. "


def _page(paragraphs: int, script_bytes: int = 0) -> str:
    script = f"<script>var state='{'a' * script_bytes}';</script>" if script_bytes else ""
    body = "".join(f"<p>{SENTENCE * 6}({n})</p>\n" for n in range(paragraphs))
    return (
        f"<html><head><title>Minsk protests</title>{script}</head><body><nav>Home | World</nav>"
        f"<article><h1>Minsk protests</h1>{body}</article><footer>Subscribe</footer></body></html>"
    )


def _old_parse_html(html: str) -> str:
    """The extraction path before this change: trafilatura on the raw page, size check after."""
    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    return parse_text(f"{extracted.title}\n\n{extracted.text}").body


def _run(function: Callable[[], object], repeats: int) -> tuple[float, str]:
    """Median seconds over ``repeats`` calls and what the last call ended with."""
    times, outcome = [], ""
    for _ in range(repeats):
        started = time.perf_counter()
        try:
            result = function()
            outcome = f"ok ({len(result):,} chars)" if isinstance(result, str) else "ok"
        except WorkbenchError as error:
            outcome = "refused: " + str(error).split(": ", 1)[-1][:60]
        except RecursionError:
            outcome = "crash: RecursionError"
        times.append(time.perf_counter() - started)
    return statistics.median(times), outcome


def _serve(route: Callable) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client stopped reading
                route(self)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _big(handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    handler.wfile.write(b"<html><body>")
    for _ in range(45 * 16):  # 45 MB in 64 kB blocks, no Content-Length
        handler.wfile.write(b"<p>" + b"x" * 65_529 + b"</p>")


def _drip(handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    for _ in range(16):  # 8 s, a byte at a time
        handler.wfile.write(b" ")
        handler.wfile.flush()
        time.sleep(0.5)


def _old_fetch(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "factcheck-workbench/0.1"})
    with urllib.request.urlopen(request, timeout=2) as response:
        return response.read(MAX_FILE_BYTES + 1)


def main() -> None:
    load = os.getloadavg()
    rows = []

    def compare(what: str, baseline: Callable, ours: Callable, repeats: int = 1) -> tuple[float, float]:
        base_time, base_outcome = _run(baseline, repeats)
        our_time, our_outcome = _run(ours, repeats)
        ratio = f"{base_time / our_time:.2f}×"
        rows.append((what, f"{base_time:.3f} s · {base_outcome}", f"{our_time:.3f} s · {our_outcome}", ratio))
        print(f"{what}: baseline {base_time:.3f} s ({base_outcome}); ours {our_time:.3f} s ({our_outcome})", flush=True)
        return base_time, our_time

    ordinary = _page(30)
    compare("ordinary article page (16 kB)", lambda: _old_parse_html(ordinary), lambda: parse_html(ordinary).body, repeats=20)
    scripted = _page(20, script_bytes=4_000_000)
    compare("4 MB of inline script, short article", lambda: _old_parse_html(scripted), lambda: parse_html(scripted).body, 3)
    wall = {}
    for megabytes in (4, 8):
        html = _page(megabytes * 1_000_000 // 560)
        wall[len(html) / 1e6] = compare(
            f"{len(html) / 1e6:.1f} MB wall of text (limit {MAX_ARTICLE_CHARS:,} chars)",
            lambda html=html: _old_parse_html(html),
            lambda html=html: parse_html(html).body,
        )
    deep = ("[" * 1000 + "]" * 1000).encode()
    compare("JSON nested 1,000 deep", lambda: json.loads(deep), lambda: parse_upload("deep.json", deep))
    flat = ("[" + "0," * 4_000_000 + "0]").encode()
    compare("JSON of 4 million values (8 MB)", lambda: json.loads(flat), lambda: parse_upload("flat.json", flat))

    os.environ["WORKBENCH_FETCH_ALLOW_HOSTS"] = "127.0.0.1"  # the local servers below only
    big, drip = _serve(_big), _serve(_drip)
    big_url, drip_url = f"http://127.0.0.1:{big.server_port}/", f"http://127.0.0.1:{drip.server_port}/"
    received = len(_old_fetch(big_url))
    compare(
        f"45 MB page (the old path read {received / 1e6:.0f} MB into memory)",
        lambda: _old_fetch(big_url),
        lambda: fetch_url(big_url, timeout=2),
    )
    compare(
        "a byte every 0.5 s for 8 s, timeout=2",
        lambda: _old_fetch(drip_url),
        lambda: fetch_url(drip_url, timeout=2),
    )
    big.shutdown()
    drip.shutdown()

    report = "\n".join(
        [
            f"# Hostile input (load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f})",
            "",
            markdown_table(["input", "baseline (old path, same run)", "ours", "baseline ÷ ours"], rows),
        ]
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "hostile_input.md").write_text(report + "\n", encoding="utf-8")
    print()
    print(report)
    (small, (base4, ours4)), (large, (base8, ours8)) = sorted(wall.items())
    print(
        f"\nheadline: a {small:.1f} / {large:.1f} MB wall-of-text page is refused in {ours4:.2f} / {ours8:.2f} s instead of "
        f"{base4:.1f} / {base8:.1f} s of extraction ({base4 / ours4:.0f}× / {base8 / ours8:.0f}× faster); deep JSON is "
        "refused instead of crashing; a 45 MB page is cut at 5 MB and a dripping server at the total time limit"
    )


if __name__ == "__main__":
    main()

import http.server
import json
import threading

import pytest

from checks.errors import InputError
from checks.ingest import MAX_ARTICLE_CHARS, IngestError, decode_bytes, fetch_url, parse_text, parse_upload

HTML_PAGE = """<html><head><title>Minsk rally draws crowds | Example News</title>
<link rel="canonical" href="https://www.example-news.co.uk/world/minsk-rally">
<meta name="author" content="Ann Reporter"><meta property="article:published_time" content="2020-08-23">
</head><body><nav>Home | World | Sport</nav><article><h1>Minsk rally draws crowds</h1>
<p>More than 100,000 people marched through Minsk on Sunday, according to local media reports.</p>
<p>The interior ministry said 32 people were detained across the country on Saturday.</p>
<p>Opposition leader Sviatlana Tsikhanouskaya called for new elections from exile in Lithuania.</p>
</article><footer>Copyright Example News. Subscribe to our newsletter.</footer></body></html>"""


def test_decode_rejects_empty_and_binary():
    with pytest.raises(InputError, match="empty"):  # a user mistake: one line in the CLI and the app
        decode_bytes(b"  \n", "a.txt")
    with pytest.raises(IngestError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.txt")


def test_decode_handles_legacy_and_utf16_encodings():
    assert decode_bytes("Lukashenko’s “victory”".encode("cp1252"), "a.txt") == "Lukashenko’s “victory”"
    assert decode_bytes("Minsk – café".encode("utf-16"), "a.txt") == "Minsk – café"
    assert decode_bytes("\ufeffMinsk".encode(), "a.txt") == "Minsk"


def test_huge_article_gets_a_clear_message():
    with pytest.raises(IngestError, match="at most"):
        parse_text("Headline\n\n" + "The vote was rigged. " * (MAX_ARTICLE_CHARS // 20))


def test_text_metadata_and_source_line():
    draft = parse_text(
        "Big news in Minsk\nBy Jane Doe\n2020-08-29\n\nThe ministry said 32 were held.\n\nsource: https://amp.www.Example.co.uk/x"
    )
    assert (draft.title, draft.byline, draft.published, draft.domain) == (
        "Big news in Minsk",
        "Jane Doe",
        "2020-08-29",
        "example.co.uk",
    )


def test_html_extraction_reads_text_and_metadata():
    draft = parse_upload("page.html", HTML_PAGE.encode()).drafts[0]
    assert "32 people were detained" in draft.body
    assert "Subscribe" not in draft.body
    assert draft.domain == "example-news.co.uk"
    assert draft.byline == "Ann Reporter"


def test_batches_report_bad_records_and_keep_good_ones():
    jsonl = "\n".join(
        [
            json.dumps({"title": "One", "text": "Police detained 32 people in Minsk.", "url": "https://bbc.co.uk/a"}),
            "{not json",
            json.dumps({"title": "No text"}),
        ]
    )
    result = parse_upload("batch.jsonl", jsonl.encode())
    assert [d.title for d in result.drafts] == ["One"]
    assert result.drafts[0].domain == "bbc.co.uk"
    assert len(result.problems) == 2 and "line 2" in result.problems[0]
    csv_batch = parse_upload("batch.csv", b'title,text,source\nA,"Crowds filled Minsk, police said.",www.reuters.com\n')
    assert csv_batch.drafts[0].domain == "reuters.com"
    with pytest.raises(IngestError, match="unsupported"):
        parse_upload("slides.pptx", b"data")


def test_fetch_url_from_a_local_server(monkeypatch):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = HTML_PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/world/minsk-rally"
    try:
        with pytest.raises(IngestError, match=r"refused: 127\.0\.0\.1 resolves to a loopback address"):
            fetch_url(url, timeout=5)  # internal hosts only when the settings allow them
        monkeypatch.setenv("WORKBENCH_FETCH_ALLOW_HOSTS", "127.0.0.1")
        draft = fetch_url(url, timeout=5)
    finally:
        server.shutdown()
    assert "100,000 people" in draft.body
    with pytest.raises(IngestError, match=r"Could not fetch .*connection failed"):
        fetch_url("http://127.0.0.1:9/none", timeout=1)

"""Search connectors against local HTTP servers on 127.0.0.1 replaying each service's documented
answers (tests/connector_answers.py): results, empty answers, rate limits, server errors, malformed
JSON, the query each connector sends, and the claim-to-query step."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from checks.config import ConnectorSettings, load_connector_settings
from checks.connectors import (
    Connector,
    ConnectorError,
    FactCheckToolsConnector,
    FoundDocument,
    GdeltConnector,
    Provenance,
    RateLimited,
    SearxngConnector,
    WikipediaConnector,
    configured_connectors,
    query_for_claim,
    with_text,
)
from checks.errors import ConfigurationError, InputError
from tests import connector_answers as answers

Reply = tuple[int, dict[str, str], bytes]
JSON = {"Content-Type": "application/json; charset=utf-8"}
API_KEY = "test-key-do-not-print"


def json_reply(payload: object, status: int = 200) -> Reply:
    return status, JSON, json.dumps(payload).encode()


class ReplayServer:
    """A threaded HTTP server on 127.0.0.1 that records every request and answers with ``reply``."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.reply: Callable[[str, dict[str, str]], Reply] = lambda path, params: json_reply({})
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = {name: values[-1] for name, values in parse_qs(parts.query, keep_blank_values=True).items()}
                server.requests.append((parts.path, params))
                status, headers, body = server.reply(parts.path, params)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def settings(self) -> ConnectorSettings:
        return ConnectorSettings(
            wikipedia=True,
            wikipedia_url=f"{self.base}/w/api.php",
            searxng_url=f"{self.base}/searx/",
            factcheck_api_key=API_KEY,
            factcheck_url=f"{self.base}/v1alpha1/claims:search",
            gdelt=True,
            gdelt_url=f"{self.base}/api/v2/doc/doc",
        )


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> ReplayServer:
    monkeypatch.setenv("WORKBENCH_FETCH_ALLOW_HOSTS", "127.0.0.1")
    replay = ReplayServer()
    yield replay
    replay.httpd.shutdown()
    replay.httpd.server_close()


def wikipedia_reply(search: object, extracts: object = answers.WIKIPEDIA_EXTRACTS) -> Callable[[str, dict], Reply]:
    return lambda path, params: json_reply(search if params.get("list") == "search" else extracts)


CONNECTORS = {
    "Wikipedia": WikipediaConnector,
    "SearXNG": SearxngConnector,
    "Fact Check Tools": FactCheckToolsConnector,
    "GDELT": GdeltConnector,
}
EMPTY = {
    "Wikipedia": answers.WIKIPEDIA_EMPTY,
    "SearXNG": answers.SEARXNG_EMPTY,
    "Fact Check Tools": answers.FACTCHECK_EMPTY,
    "GDELT": answers.GDELT_EMPTY,
}
CONNECTOR_VARS = (
    "WORKBENCH_WIKIPEDIA",
    "WORKBENCH_WIKIPEDIA_LANG",
    "WORKBENCH_WIKIPEDIA_URL",
    "WORKBENCH_SEARXNG_URL",
    "WORKBENCH_FACTCHECK_API_KEY",
    "WORKBENCH_FACTCHECK_URL",
    "WORKBENCH_GDELT",
    "WORKBENCH_GDELT_URL",
)


def just_now(stamp: str) -> bool:
    moment = datetime.fromisoformat(stamp)
    return timedelta(0) <= datetime.now(UTC) - moment < timedelta(minutes=1)


# --- settings ---------------------------------------------------------------------------------------


def test_every_connector_is_off_until_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CONNECTOR_VARS:
        monkeypatch.delenv(name, raising=False)
    assert configured_connectors() == []


def test_settings_switch_connectors_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKBENCH_WIKIPEDIA", "1")
    monkeypatch.setenv("WORKBENCH_WIKIPEDIA_LANG", "de")
    monkeypatch.setenv("WORKBENCH_SEARXNG_URL", "https://searx.newsroom.example")
    monkeypatch.setenv("WORKBENCH_FACTCHECK_API_KEY", "abc")
    monkeypatch.setenv("WORKBENCH_GDELT", "1")
    settings = load_connector_settings()
    assert settings.wikipedia_url == "https://de.wikipedia.org/w/api.php"
    assert settings.factcheck_url == "https://factchecktools.googleapis.com/v1alpha1/claims:search"
    assert settings.gdelt_url == "https://api.gdeltproject.org/api/v2/doc/doc"
    connectors = configured_connectors(settings)
    assert [connector.name for connector in connectors] == list(CONNECTORS)
    assert all(isinstance(connector, Connector) for connector in connectors)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("WORKBENCH_WIKIPEDIA_LANG", "en.evil.example/x", "language code"),
        ("WORKBENCH_GDELT", "maybe", "must be 1 or 0"),
    ],
)
def test_bad_settings_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=message):
        load_connector_settings()


# --- each service's results and the query it is sent -----------------------------------------------


def test_wikipedia_searches_then_reads_plain_text_intros(server: ReplayServer) -> None:
    server.reply = wikipedia_reply(answers.WIKIPEDIA_SEARCH)
    found = WikipediaConnector(server.settings()).search("  Minsk   protests ", limit=2)
    assert server.requests == [
        (
            "/w/api.php",
            {
                "action": "query",
                "list": "search",
                "srsearch": "Minsk protests",
                "srlimit": "2",
                "srnamespace": "0",
                "srprop": "snippet|timestamp",
                "format": "json",
                "formatversion": "2",
            },
        ),
        (
            "/w/api.php",
            {
                "action": "query",
                "prop": "extracts|info",
                "titles": "2020 Belarusian protests|Independence Avenue (Minsk)",
                "exintro": "1",
                "explaintext": "1",
                "exlimit": "2",
                "inprop": "url",
                "format": "json",
                "formatversion": "2",
            },
        ),
    ]
    # In search order, each with its own extract although the extracts came back in another order.
    assert [doc.title for doc in found] == ["2020 Belarusian protests", "Independence Avenue (Minsk)"]
    first = found[0]
    assert first.url == "https://en.wikipedia.org/wiki/2020_Belarusian_protests"
    assert first.text == "A series of mass protests took place in Belarus after the 2020 presidential election."
    assert first.snippet == "Mass protests in Minsk & other cities"
    assert first.published == "2024-05-02T10:11:12Z"
    assert (first.domain, first.language, first.review) == ("en.wikipedia.org", "en", None)
    assert (first.provenance.connector, first.provenance.query) == ("Wikipedia", "Minsk protests")
    assert just_now(first.provenance.retrieved_at)
    assert found[1].text == "Independence Avenue is the main avenue of Minsk."


def test_wikipedia_without_page_info_links_the_article_path(server: ReplayServer) -> None:
    server.reply = wikipedia_reply(answers.WIKIPEDIA_SEARCH, {"batchcomplete": True, "query": {"pages": []}})
    found = WikipediaConnector(server.settings()).search("Minsk")
    assert found[1].url == f"{server.base}/wiki/Independence_Avenue_%28Minsk%29"
    assert found[1].text == ""


def test_wikipedia_api_error_is_one_line(server: ReplayServer) -> None:
    server.reply = lambda path, params: json_reply(answers.WIKIPEDIA_ERROR)
    with pytest.raises(ConnectorError) as caught:
        WikipediaConnector(server.settings()).search("Minsk")
    assert str(caught.value) == 'Wikipedia: the API refused the request (nosrsearch: The "srsearch" parameter must be set.)'


def test_wikipedia_rate_limit_error_code(server: ReplayServer) -> None:
    # Wikimedia may refuse with an error object instead of HTTP 429: https://www.mediawiki.org/wiki/API:Errors_and_warnings
    server.reply = lambda path, params: json_reply({"error": {"code": "ratelimited", "info": "You've exceeded your rate limit."}})
    with pytest.raises(RateLimited, match=r"^Wikipedia: rate limited, retry later$"):
        WikipediaConnector(server.settings()).search("Minsk")


def test_searxng_returns_web_results_without_text(server: ReplayServer) -> None:
    server.reply = lambda path, params: json_reply(answers.SEARXNG_RESULTS)
    found = SearxngConnector(server.settings()).search("Minsk protest 2020", limit=2)
    assert server.requests == [("/searx/search", {"q": "Minsk protest 2020", "format": "json", "pageno": "1"})]
    assert len(found) == 2  # the instance answered three: the limit holds
    first = found[0]
    assert (first.url, first.title, first.text) == (
        "https://news.example.org/2020/08/minsk-march",
        "Thousands march in Minsk",
        "",
    )
    assert first.snippet == "Crowds gathered on Sunday in the capital."
    assert first.published == "2020-08-16T00:00:00"
    assert first.domain == "news.example.org"
    assert found[1].published is None
    assert first.provenance.connector == "SearXNG"


def test_searxng_without_json_format_says_how_to_enable_it(server: ReplayServer) -> None:
    server.reply = lambda path, params: (403, {"Content-Type": "text/html"}, b"<h1>403 Forbidden</h1>")
    with pytest.raises(
        ConnectorError, match=r"^SearXNG: the instance does not offer JSON results \(add json to search: formats:"
    ):
        SearxngConnector(server.settings()).search("Minsk")


def test_factcheck_tools_lists_each_review_with_its_rating(server: ReplayServer) -> None:
    server.reply = lambda path, params: json_reply(answers.FACTCHECK_CLAIMS)
    found = FactCheckToolsConnector(server.settings()).search("police detained 700 Sunday", limit=5)
    assert server.requests == [
        ("/v1alpha1/claims:search", {"query": "police detained 700 Sunday", "pageSize": "5", "key": API_KEY})
    ]
    assert [doc.url for doc in found] == [
        "https://check.example.org/reviews/sunday-march-arrests",
        "https://faktencheck.example.de/700-festnahmen",
    ]
    first = found[0]
    assert first.title == "No, police did not detain 700 people on Sunday"
    assert first.published == "2020-08-18T00:00:00Z"
    assert first.text == ""
    assert first.snippet == "Police detained 700 people at the Sunday march — rated False"
    assert first.review is not None
    assert first.review.claim == "Police detained 700 people at the Sunday march"
    assert (first.review.claimant, first.review.claim_date) == ("A social media post", "2020-08-16T00:00:00Z")
    assert (first.review.publisher, first.review.publisher_site) == ("Example Check", "check.example.org")
    assert (first.review.rating, first.review.language, first.language) == ("False", "en", "en")
    assert found[1].review.rating == "Falsch"
    assert found[1].published == "2020-08-19T09:30:00Z"


def test_factcheck_tools_key_refusal_never_shows_the_key(server: ReplayServer) -> None:
    server.reply = lambda path, params: json_reply({"error": {"code": 403, "status": "PERMISSION_DENIED"}}, status=403)
    with pytest.raises(ConnectorError) as caught:
        FactCheckToolsConnector(server.settings()).search("Minsk")
    assert str(caught.value) == "Fact Check Tools: the API key was refused (HTTP 403); check WORKBENCH_FACTCHECK_API_KEY"
    assert API_KEY not in str(caught.value)


def test_gdelt_lists_articles_with_their_seen_date(server: ReplayServer) -> None:
    server.reply = lambda path, params: json_reply(answers.GDELT_ARTICLES)
    found = GdeltConnector(server.settings()).search("Minsk Sunday march", limit=7)
    assert server.requests == [
        (
            "/api/v2/doc/doc",
            {"query": "Minsk Sunday march", "mode": "artlist", "format": "json", "maxrecords": "7", "sort": "hybridrel"},
        )
    ]
    assert [doc.title for doc in found] == ["Huge crowds in Minsk for a second Sunday", "Manifestation à Minsk"]
    first = found[0]
    assert (first.url, first.published, first.text) == (
        "https://www.example.co.uk/world/minsk-sunday-march",
        "2020-08-23T15:45:00Z",
        "",
    )
    assert (first.domain, first.language) == ("example.co.uk", "English")
    assert first.provenance.connector == "GDELT"


def test_gdelt_plain_text_refusal_is_quoted(server: ReplayServer) -> None:
    server.reply = lambda path, params: (
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        b"The specified phrase is too short.\n",
    )
    with pytest.raises(ConnectorError) as caught:
        GdeltConnector(server.settings()).search("ab")
    assert str(caught.value) == "GDELT: the service answered text/html, not JSON (The specified phrase is too short.)"


# --- what every connector does with empty answers and failures --------------------------------------


@pytest.mark.parametrize("name", CONNECTORS)
def test_empty_answer_finds_nothing(server: ReplayServer, name: str) -> None:
    server.reply = lambda path, params: json_reply(EMPTY[name])
    assert CONNECTORS[name](server.settings()).search("zzzz") == []
    assert len(server.requests) == 1  # Wikipedia asks for no extracts when the search found nothing


@pytest.mark.parametrize("name", CONNECTORS)
def test_rate_limit_says_when_to_retry(server: ReplayServer, name: str) -> None:
    server.reply = lambda path, params: (429, {"Content-Type": "application/json", "Retry-After": "30"}, b"{}")
    with pytest.raises(RateLimited) as caught:
        CONNECTORS[name](server.settings()).search("Minsk")
    assert str(caught.value) == f"{name}: rate limited, retry after 30 s"
    assert caught.value.retry_after == 30


def test_rate_limit_with_a_date_or_no_header(server: ReplayServer) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    server.reply = lambda path, params: (429, {"Content-Type": "text/plain", "Retry-After": later}, b"slow down")
    with pytest.raises(RateLimited) as caught:
        GdeltConnector(server.settings()).search("Minsk")
    assert 100 <= caught.value.retry_after <= 120
    server.reply = lambda path, params: (429, {"Content-Type": "text/plain"}, b"slow down")
    with pytest.raises(RateLimited, match=r"^GDELT: rate limited, retry later$"):
        GdeltConnector(server.settings()).search("Minsk")


@pytest.mark.parametrize("name", CONNECTORS)
def test_server_error_is_one_line(server: ReplayServer, name: str) -> None:
    server.reply = lambda path, params: (500, {"Content-Type": "text/html"}, b"<h1>oops</h1>")
    with pytest.raises(ConnectorError) as caught:
        CONNECTORS[name](server.settings()).search("Minsk")
    assert str(caught.value) == f"{name}: the server answered HTTP 500 Internal Server Error"
    assert API_KEY not in str(caught.value)


@pytest.mark.parametrize("name", CONNECTORS)
@pytest.mark.parametrize("body", [b'{"results": [', b"not json at all", b"[1, 2, 3]"])
def test_malformed_json_is_reported(server: ReplayServer, name: str, body: bytes) -> None:
    server.reply = lambda path, params: (200, JSON, body)
    with pytest.raises(ConnectorError, match=rf"^{name}: the answer is not (valid JSON|a JSON object)$"):
        CONNECTORS[name](server.settings()).search("Minsk")


@pytest.mark.parametrize("name", CONNECTORS)
def test_answers_of_the_wrong_shape_find_nothing(server: ReplayServer, name: str) -> None:
    odd = {"query": ["x"], "results": "x", "claims": [{"claimReview": [{"url": "javascript:alert(1)"}]}], "articles": [7, None]}
    server.reply = lambda path, params: json_reply(odd)
    assert CONNECTORS[name](server.settings()).search("Minsk") == []


def test_loopback_is_refused_unless_allowed(server: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKBENCH_FETCH_ALLOW_HOSTS")
    with pytest.raises(ConnectorError, match=r"^GDELT: refused: 127\.0\.0\.1 resolves to a loopback address"):
        GdeltConnector(server.settings()).search("Minsk")
    assert server.requests == []


@pytest.mark.parametrize(("query", "limit", "message"), [("   ", 5, "empty"), ("Minsk", 0, "1 to 20"), ("Minsk", 21, "1 to 20")])
def test_bad_query_or_limit_is_refused(server: ReplayServer, query: str, limit: int, message: str) -> None:
    with pytest.raises(InputError, match=message):
        SearxngConnector(server.settings()).search(query, limit)
    assert server.requests == []


# --- page text and the query built from a claim ------------------------------------------------------


def test_with_text_fetches_and_extracts_the_page(server: ReplayServer) -> None:
    paragraph = "Thousands of people marched through the centre of the capital on Sunday afternoon. " * 4
    page = f"<html><head><title>March report</title></head><body><article><h1>March report</h1><p>{paragraph}</p>"
    page += f"<p>{paragraph}</p></article></body></html>"
    server.reply = lambda path, params: (200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())
    document = FoundDocument(
        f"{server.base}/story", "Thousands march", None, "", Provenance("SearXNG", "march", "2026-01-01T00:00:00Z")
    )
    filled = with_text(document)
    assert "Thousands of people marched through the centre" in filled.text
    assert (filled.title, filled.provenance) == ("Thousands march", document.provenance)
    assert with_text(filled) is filled  # text already there: nothing fetched again
    assert len(server.requests) == 1


def test_query_for_claim_puts_names_and_numbers_first() -> None:
    claim = "Police said they detained 32 people in Minsk, while Alexander Lukashenko claimed 80.1% of the vote in 2020."
    query = query_for_claim(claim)
    # Speech verbs ("said", "claimed") and stopwords are left out.
    assert query == "Minsk Alexander Lukashenko 32 80.1 2020 Police detained people while vote"
    assert query_for_claim(claim, max_terms=4) == "Minsk Alexander Lukashenko 32 80.1"
    assert query_for_claim("Police said they detained 32 people in Minsk") == "Minsk 32 Police detained people"
    assert query_for_claim("It was what it was, and so on.") == ""


# --- the search action: found pages become evidence, reviews become earlier fact-checks ------------


def test_search_for_evidence_stores_pages_and_fact_checks_with_their_provenance(server: ReplayServer, store) -> None:
    from checks import actions
    from checks.actions import Actor
    from checks.ingest import parse_text

    def reply(path: str, params: dict) -> Reply:
        if path.endswith("claims:search"):
            return json_reply(answers.FACTCHECK_CLAIMS)
        return wikipedia_reply(answers.WIKIPEDIA_SEARCH)(path, params)

    server.reply = reply
    saved = actions.ingest_article(
        store, Actor("Ann"), parse_text("Minsk\n\nPolice detained 700 people at the Sunday march in Minsk.\n")
    )
    claim = int(store.query_one("SELECT id FROM claims WHERE article_id = ? AND position = 1", (saved.article_id,))[0])
    connectors = [WikipediaConnector(server.settings()), FactCheckToolsConnector(server.settings())]
    result = actions.search_for_evidence(store, Actor("Ann"), claim, connectors=connectors)
    assert (result.documents, result.factchecks) == (2, 2) and result.asked == ["Wikipedia", "Fact Check Tools"]
    assert "Minsk" in result.query and "700" in result.query
    origins = [r["origin"] for r in store.query("SELECT origin FROM documents WHERE url LIKE 'https://en.wikipedia.org/%'")]
    assert len(origins) == 2 and all(o.startswith("search: Wikipedia, query '") for o in origins)
    reviews = store.query("SELECT verdict, publisher, url FROM factchecks WHERE collection = 'fact check tools' ORDER BY id")
    assert [(r["verdict"], r["publisher"]) for r in reviews] == [("False", "Example Check"), ("Falsch", "Faktencheck Beispiel")]
    event = store.query_one("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    assert event == "search for evidence"
    again = actions.search_for_evidence(store, Actor("Ann"), claim, connectors=connectors)
    assert (again.documents, again.factchecks) == (0, 0)  # the same results are not stored twice


@pytest.mark.model
def test_the_review_page_searches_the_configured_connectors(server: ReplayServer, tmp_path, monkeypatch) -> None:
    import time

    from streamlit.testing.v1 import AppTest

    from checks import actions
    from checks.actions import Actor
    from checks.store import Store
    from checks.vocab import Role
    from ui.common import clear_caches

    server.reply = wikipedia_reply(answers.WIKIPEDIA_SEARCH)
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("WORKBENCH_WIKIPEDIA", "1")
    monkeypatch.setenv("WORKBENCH_WIKIPEDIA_URL", f"{server.base}/w/api.php")
    clear_caches()
    store = Store(tmp_path / "workbench.db")
    actions.add_account(store, Actor("setup", Role.ADMIN), "Ann", Role.EDITOR, password="a long enough password")
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "workbench.py"), default_timeout=180)
    at.session_state["actor"], at.session_state["signed_in_at"] = Actor("Ann", Role.EDITOR), time.time()
    at.run()
    at.button(key="load_demo").click().run()
    at.button(key="open_article").click().run()
    claim = next(t for t in at.text_input if t.key.startswith("search_query_"))
    assert claim.value  # the query is prefilled from the claim
    claim.input("Minsk protests").run()
    at.button(key=f"search_{claim.key.rsplit('_', 1)[1]}").click().run()
    assert not at.exception
    assert any(s.value.startswith("Searched Wikipedia for") for s in at.success)
    path, params = server.requests[0]
    assert path == "/w/api.php" and params["srsearch"] == "Minsk protests"
    assert store.query_one("SELECT COUNT(*) FROM documents WHERE origin LIKE 'search: Wikipedia%'")[0] == 2

"""The safe fetcher against real HTTP(S) servers on 127.0.0.1 started here, and its address check."""

from __future__ import annotations

import http.server
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable

import pytest

from checks.fetch import FetchError, FetchPolicy, address_problem, default_policy, fetch, fetch_many

PAGE = b"<html><head><title>Minsk</title></head><body><p>32 people were detained.</p></body></html>"
LOCAL = frozenset({"127.0.0.1"})


class Server:
    """A threaded HTTP server on 127.0.0.1 whose routes are plain functions of the request handler."""

    def __init__(self, routes: dict[str, Callable], tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[tuple[str, dict]] = []
        self.active = self.peak = 0
        self.sent = 0
        lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with lock:
                    server.requests.append((self.path, dict(self.headers)))
                    server.active += 1
                    server.peak = max(server.peak, server.active)
                try:
                    routes.get(self.path.split("?")[0], lambda handler: handler.send_error(404))(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client hung up, as it should when it refuses a body
                finally:
                    with lock:
                        server.active -= 1

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if tls:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_port
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str = "/", host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def page(handler, body: bytes = PAGE, content_type: str = "text/html; charset=utf-8") -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def redirect(location: str) -> Callable:
    def route(handler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


@pytest.fixture
def serve():
    servers = []

    def start(routes: dict[str, Callable], tls: ssl.SSLContext | None = None) -> Server:
        servers.append(Server(routes, tls))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def policy(**changes) -> FetchPolicy:
    return FetchPolicy(**{"allow_hosts": LOCAL, "total_timeout": 5.0, **changes})


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.5", "a private address 10.0.0.5"),
        ("172.16.4.1", "a private address"),
        ("192.168.1.1", "a private address"),
        ("127.0.0.1", "a loopback address"),
        ("169.254.169.254", "a link-local address"),  # cloud metadata service
        ("224.0.0.1", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("0.0.0.0", "an unspecified address"),
        ("100.64.0.1", "a non-public address"),  # carrier-grade NAT
        ("::1", "a loopback address ::1"),
        ("fe80::1", "a link-local address"),
        ("fe80::1%eth0", "a link-local address"),
        ("fd12:3456::1", "a private address"),
        ("ff02::1", "a multicast address"),
        ("::", "an unspecified address"),
        ("::ffff:127.0.0.1", "a loopback address 127.0.0.1 (mapped from ::ffff:7f00:1)"),
        ("::ffff:10.0.0.5", "a private address 10.0.0.5"),
        ("2002:a00:5::1", "a private address 10.0.0.5 (inside 2002:a00:5::1)"),  # 6to4
        ("64:ff9b::a00:5", "a private address 10.0.0.5"),  # NAT64
    ],
)
def test_address_check_refuses_every_internal_range(address, kind):
    assert kind in address_problem(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_address_check_passes_public_addresses(address):
    assert address_problem(address) is None


def test_loopback_refused_without_the_allow_setting(serve):
    server = serve({"/": page})
    for url in (server.url(), server.url(host="localhost"), server.url(host="127.1"), server.url(host="[::1]")):
        with pytest.raises(FetchError, match=r"refused: .* resolves to a loopback address"):
            fetch(url, policy=FetchPolicy(total_timeout=5.0))
    assert server.requests == []  # refused before connecting


def test_allowed_host_is_fetched_with_the_workbench_user_agent(serve, monkeypatch):
    server = serve({"/story": page})
    monkeypatch.setenv("WORKBENCH_FETCH_ALLOW_HOSTS", "127.0.0.1")
    monkeypatch.setenv("WORKBENCH_FETCH_CONTACT", "mailto:desk@newsroom.example")
    result = fetch(server.url("/story?id=1"), policy=default_policy(total_timeout=5.0))
    assert (result.status, result.content_type, result.charset) == (200, "text/html", "utf-8")
    assert result.text == PAGE.decode() and result.final_url == server.url("/story?id=1")
    path, headers = server.requests[0]
    assert path == "/story?id=1"
    assert headers["User-Agent"] == "factcheck-workbench/0.1.0 (+mailto:desk@newsroom.example)"
    assert headers["Host"] == f"127.0.0.1:{server.port}"
    assert headers["Accept-Encoding"] == "identity"


def test_redirects_are_followed_and_checked_on_every_hop(serve):
    routes = {}
    server = serve(routes)  # routes are looked up per request, so they may name the server's port
    routes.update(
        {
            "/old": redirect("/new"),
            "/new": page,
            "/ftp": redirect("ftp://127.0.0.1/file.html"),
            "/elsewhere": redirect(f"http://localhost:{server.port}/new"),
            "/v6": redirect(f"http://[::1]:{server.port}/new"),
            "/loop": redirect("/loop"),
        }
    )
    assert fetch(server.url("/old"), policy=policy()).final_url == server.url("/new")
    with pytest.raises(FetchError, match=r"redirected to ftp://127\.0\.0\.1/file\.html, then refused: only http and https"):
        fetch(server.url("/ftp"), policy=policy())
    with pytest.raises(FetchError, match="then refused: localhost resolves to a loopback address"):
        fetch(server.url("/elsewhere"), policy=policy())
    with pytest.raises(FetchError, match="then refused: ::1 resolves to a loopback address ::1"):
        fetch(server.url("/v6"), policy=policy())
    server.requests.clear()
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetch(server.url("/loop"), policy=policy(max_redirects=3))
    assert len(server.requests) == 4


def test_byte_cap_is_enforced_while_streaming(serve):
    total = 20_000_000

    def flood(handler) -> None:  # no Content-Length: only counting while reading can stop it
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        block = b"<p>" + b"x" * 65_530 + b"</p>"
        while server.sent < total:
            handler.wfile.write(block)
            server.sent += len(block)

    def announced(handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(45_000_000))
        handler.end_headers()

    server = serve({"/flood": flood, "/announced": announced})
    with pytest.raises(FetchError, match=r"larger than 100 kB\.$"):
        fetch(server.url("/flood"), policy=policy(max_bytes=100_000))
    time.sleep(0.2)
    assert server.sent < total / 2  # the client hung up long before the server was done
    with pytest.raises(FetchError, match=r"larger than 5 MB \(the server announces 45 MB\)"):
        fetch(server.url("/announced"), policy=policy())


def test_slow_drip_is_cut_at_the_total_timeout(serve):
    def drip_body(handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        for _ in range(100):  # at most 20 s, and it stops when the client hangs up
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(0.2)

    def drip_headers(handler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for _ in range(100):
            handler.wfile.write(b"X-Slow: 1\r\n")
            handler.wfile.flush()
            time.sleep(0.2)

    server = serve({"/body": drip_body, "/headers": drip_headers})
    listener = socket.create_server(("127.0.0.1", 0))  # a TLS handshake that never ends

    def drip_handshake() -> None:
        client, _ = listener.accept()
        with client:
            client.sendall(b"\x16\x03\x03\x40\x00")  # a handshake record of 16 kB is coming...
            for _ in range(100):  # ...one byte at a time
                try:
                    client.sendall(b"\x00")
                except OSError:
                    return
                time.sleep(0.2)

    threading.Thread(target=drip_handshake, daemon=True).start()
    handshake = f"https://127.0.0.1:{listener.getsockname()[1]}/"
    for url in (server.url("/body"), server.url("/headers"), handshake):
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"timed out after 1 s"):
            fetch(url, policy=policy(total_timeout=1.0, read_timeout=5.0))
        assert time.monotonic() - started < 2.5
    listener.close()


def test_silent_server_hits_the_read_timeout(serve):
    def silent(handler) -> None:
        time.sleep(3)

    server = serve({"/silent": silent})
    with pytest.raises(FetchError, match=r"timed out: no data for 0\.5 s"):
        fetch(server.url("/silent"), policy=policy(read_timeout=0.5))


def test_content_type_and_status_are_checked(serve):
    server = serve(
        {
            "/image": lambda h: page(h, b"\x89PNG....", "image/png"),
            "/untyped": lambda h: page(h, PAGE, ""),
            "/text": lambda h: page(h, b"plain", "text/plain; charset=latin-1"),
        }
    )
    with pytest.raises(FetchError, match=r"content type image/png is not accepted \(expected text/html, application/xhtml"):
        fetch(server.url("/image"), policy=policy())
    with pytest.raises(FetchError, match="no content type"):
        fetch(server.url("/untyped"), policy=policy())
    assert fetch(server.url("/text"), accept=["text/*"], policy=policy()).charset == "latin-1"
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(server.url("/missing-route-404"), policy=policy())


def test_error_status_and_retry_after_reach_the_caller(serve):
    def slow_down(handler) -> None:
        handler.send_response(429)
        handler.send_header("Retry-After", "30")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    server = serve({"/busy": slow_down, "/moved": redirect("/busy")})
    for path in ("/busy", "/moved"):  # also through a redirect
        with pytest.raises(FetchError) as caught:
            fetch(server.url(path), policy=policy())
        assert (caught.value.status, caught.value.retry_after) == (429, "30")
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/missing"), policy=policy())
    assert (caught.value.status, caught.value.retry_after) == (404, None)
    with pytest.raises(FetchError) as caught:
        fetch("ftp://127.0.0.1/x", policy=policy())
    assert caught.value.status is None


def test_bad_urls_are_refused_before_any_lookup():
    for url, reason in [
        ("file:///etc/passwd", "not file"),
        ("ftp://127.0.0.1/x", "not ftp"),
        ("127.0.0.1/x", "without a scheme"),
        ("http://user:secret@127.0.0.1/", "user name or password"),
        ("http://127.0.0.1:99999/", "not a valid URL"),
        ("http:///nohost", "no host"),
    ]:
        with pytest.raises(FetchError, match=reason):
            fetch(url, policy=policy())


def test_connection_goes_to_the_address_that_was_checked(serve, monkeypatch):
    """DNS rebinding: the host is resolved once; a second lookup would get a different answer."""
    server = serve({"/": page})
    real_lookup = socket.getaddrinfo
    answers = iter(["127.0.0.1", "127.0.0.2"])  # no server listens on the second address
    lookups = []

    def rebinding_lookup(host, port, *args, **kwargs):
        if host != "news.test":
            return real_lookup(host, port, *args, **kwargs)
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_lookup)
    result = fetch(server.url(host="news.test"), policy=policy(allow_hosts={"news.test"}))
    assert result.status == 200 and lookups == ["news.test"]
    assert server.requests[0][1]["Host"] == f"news.test:{server.port}"
    with pytest.raises(FetchError, match=r"refused: news\.test resolves to a loopback address 127\.0\.0\.2"):
        fetch(server.url(host="news.test"), policy=policy())


def test_a_name_resolving_to_public_and_private_addresses_is_refused(monkeypatch):
    def mixed_lookup(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in ("93.184.215.14", "10.0.0.5")]

    monkeypatch.setattr(socket, "getaddrinfo", mixed_lookup)
    with pytest.raises(FetchError, match=r"refused: mixed\.test resolves to a private address 10\.0\.0\.5"):
        fetch("http://mixed.test/", policy=FetchPolicy())


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make a test certificate")
def test_https_is_pinned_to_the_address_but_verified_for_the_name(serve, monkeypatch, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=news.test",
         "-addext", "subjectAltName=DNS:news.test", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server = serve({"/": page}, tls=tls)
    real_lookup = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        if host in ("news.test", "other.test")
        else real_lookup(host, port, *a, **k),
    )
    trusted = policy(allow_hosts={"news.test", "other.test"}, ca_file=str(cert))
    assert fetch(server.url(host="news.test", scheme="https"), policy=trusted).text == PAGE.decode()
    with pytest.raises(FetchError, match="TLS failed"):  # same address, but the certificate is not for this name
        fetch(server.url(host="other.test", scheme="https"), policy=trusted)
    with pytest.raises(FetchError, match="TLS failed"):  # an unknown CA
        fetch(server.url(host="news.test", scheme="https"), policy=policy(allow_hosts={"news.test"}))


def test_fetch_many_reports_every_url_with_bounded_parallelism(serve):
    def slow(handler) -> None:
        time.sleep(0.3)
        page(handler)

    server = serve({"/slow": slow})
    urls = [server.url(f"/slow?n={n}") for n in range(5)]
    urls += [urls[0], "", server.url("/gone"), "gopher://127.0.0.1/"]
    calls = []
    outcomes = fetch_many(urls, policy=policy(), workers=2, progress=lambda done, total: calls.append((done, total)))
    assert [o.state for o in outcomes] == ["fetched"] * 5 + ["skipped", "failed", "failed"]
    assert outcomes[5].reason == "listed more than once"
    assert "HTTP 404" in outcomes[6].reason and "only http and https" in outcomes[7].reason
    assert outcomes[0].result.text == PAGE.decode()
    assert server.peak <= 2 and len(server.requests) == 6
    assert calls[0] == (1, 8) and calls[-1] == (8, 8) and [d for d, _ in calls] == sorted(d for d, _ in calls)

"""Fetch: the one way the workbench reads a URL (article pages, evidence, feeds, search connectors).

Owns the rules every download follows: http and https only, checked again on every redirect (which
it follows itself, up to a limit); the host is resolved once and every address it resolves to must
be public (no private, loopback, link-local, multicast, reserved or unspecified address, IPv4 or
IPv6, IPv4-mapped and other embedded IPv4 included) unless the host is explicitly allowed; the
connection goes to the very address that was checked, so a second DNS answer cannot send the request
elsewhere (DNS rebinding), while the Host header, TLS SNI and certificate check use the name. Bodies
are streamed under a byte cap, with connect, read and total time limits, and a content-type check.

Built on the standard library's ``http.client``: the fetcher opens the socket to the checked
address itself (under the total-time watchdog, TLS handshake included) and hands it over, so no
name is ever looked up twice. ``requests`` (installed with the other packages) would need its
connection pool patched for that, and redirects, caps and time limits handled by hand all the same.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from urllib.parse import quote, urljoin, urlsplit

from checks import __version__
from checks.config import load_fetch_settings
from checks.errors import ConfigurationError, InputError

DEFAULT_MAX_BYTES = 5_000_000
HTML_TYPES = ("text/html", "application/xhtml+xml")
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_WORKERS = 8  # parallel downloads at most, whatever the caller asks for
CHUNK_BYTES = 64 * 1024
URL_SAFE = "/%:@!$&'()*+,;=-._~"  # characters left as they are in a request path; the rest is percent-encoded
# IPv6 prefixes that carry an IPv4 address a gateway will forward to: judged by that address too.
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")


class FetchError(InputError):
    """A URL that was not fetched; ``str(error)`` names the URL and the reason in one line."""

    def __init__(self, url: str, reason: str, status: int | None = None, retry_after: str | None = None) -> None:
        super().__init__(f"Could not fetch {url}: {reason}.")
        self.url = url
        self.reason = reason
        self.status = status  # the HTTP status when the server answered with an error, else None
        self.retry_after = retry_after  # the server's Retry-After header, if any (429 and 503 answers)


def user_agent(contact: str | None = None) -> str:
    """``factcheck-workbench/<version>``, plus ``(+contact)`` so site owners know whom to ask."""
    return f"factcheck-workbench/{__version__}" + (f" (+{contact})" if contact else "")


@dataclass(frozen=True)
class FetchPolicy:
    """Limits and permissions of one download; :func:`default_policy` builds it from the settings."""

    max_bytes: int = DEFAULT_MAX_BYTES
    connect_timeout: float = 5.0
    read_timeout: float = 10.0  # longest silence between two pieces of data
    total_timeout: float = 20.0  # the whole download, redirects included
    max_redirects: int = 5
    allow_hosts: frozenset[str] = frozenset()  # internal hosts that may be fetched anyway
    user_agent: str = field(default_factory=user_agent)
    ca_file: str | None = None  # an extra CA bundle, e.g. for allowed internal hosts with their own CA

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "allow_hosts", frozenset(_normal_host(host) for host in self.allow_hosts))
        except UnicodeError as error:
            raise ConfigurationError(f"An allowed fetch host is not a valid host name: {sorted(self.allow_hosts)}") from error


def default_policy(**changes) -> FetchPolicy:
    """The policy the settings ask for (``WORKBENCH_FETCH_ALLOW_HOSTS``, ``WORKBENCH_FETCH_CONTACT``)."""
    settings = load_fetch_settings()
    return FetchPolicy(**{"allow_hosts": settings.allow_hosts, "user_agent": user_agent(settings.contact), **changes})


@dataclass(frozen=True)
class FetchResult:
    """A downloaded body with where it finally came from."""

    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    content_type: str  # media type only, lower case: "text/html"
    charset: str | None
    data: bytes

    @property
    def text(self) -> str:
        """The body decoded with the declared charset (UTF-8 when none or unknown), bad bytes replaced."""
        try:
            return self.data.decode(self.charset or "utf-8", errors="replace")
        except LookupError:
            return self.data.decode("utf-8", errors="replace")


def address_problem(address: str) -> str | None:
    """Why an address may not be fetched (``"a private address 10.0.0.5"``), or None when it is public.

    An IPv4-mapped IPv6 address is judged as the IPv4 address it maps to; addresses that embed an
    IPv4 address a gateway forwards to (6to4, Teredo, NAT64) must pass both as IPv6 and as IPv4.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone such as fe80::1%eth0
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return _category(ip.ipv4_mapped, f" (mapped from {ip})")
        embedded = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and (problem := _category(embedded, f" (inside {ip})")):
            return problem
    return _category(ip)


def _category(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, note: str = "") -> str | None:
    # Most specific first: 127.0.0.1 and 240.0.0.1 also count as "private", 0.0.0.0 as "reserved".
    for test, name in (
        (ip.is_unspecified, "an unspecified"),
        (ip.is_loopback, "a loopback"),
        (ip.is_link_local, "a link-local"),
        (ip.is_multicast, "a multicast"),
        (ip.is_reserved, "a reserved"),
        (ip.is_private, "a private"),
        (not ip.is_global, "a non-public"),
    ):
        if test:
            return f"{name} address {ip}{note}"
    return None


def _normal_host(host: str) -> str:
    """Lower case, no trailing dot, no brackets, ASCII (IDNA) form; IP literals in canonical form."""
    host = host.strip().strip("[]").rstrip(".").lower()
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host.encode("idna").decode("ascii")


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # normalised, ASCII
    port: int
    path: str  # request target: path and query


def _parse(url: str) -> _Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = _normal_host(parts.hostname) if parts.hostname else ""
    except (ValueError, UnicodeError) as error:  # a bad port, a bad IPv6 literal, a name IDNA rejects
        raise FetchError(url, f"not a valid URL ({error})") from error
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(url, f"refused: only http and https URLs are fetched, not {scheme or 'a URL without a scheme'}")
    if not host:
        raise FetchError(url, "refused: the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise FetchError(url, "refused: URLs with a user name or password are not fetched")
    path = quote(parts.path or "/", safe=URL_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=URL_SAFE + "?")
    return _Target(scheme, host, port or (443 if scheme == "https" else 80), path)


def _deadline_left(deadline: float, url: str, policy: FetchPolicy) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(url, f"timed out after {policy.total_timeout:g} s")
    return left


def _resolve(url: str, target: _Target, policy: FetchPolicy, deadline: float) -> list[str]:
    """Every address the host resolves to, all of them vetted; the caller connects only to these."""
    try:
        literal = ipaddress.ip_address(target.host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        # getaddrinfo cannot be interrupted, so it runs in a daemon thread the total limit can abandon.
        answer: dict = {}

        def lookup() -> None:
            try:
                answer["infos"] = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
            except (OSError, UnicodeError) as error:
                answer["error"] = error

        worker = threading.Thread(target=lookup, daemon=True, name="fetch-dns")
        worker.start()
        worker.join(_deadline_left(deadline, url, policy))
        if worker.is_alive():
            raise FetchError(url, f"timed out after {policy.total_timeout:g} s (looking up {target.host})")
        if "error" in answer:
            raise FetchError(url, f"could not resolve {target.host}")
        addresses = list(dict.fromkeys(info[4][0] for info in answer["infos"]))
    if target.host in policy.allow_hosts:
        return addresses
    for address in addresses:
        if problem := address_problem(address):
            raise FetchError(url, f"refused: {target.host} resolves to {problem}")
    return addresses


class _Watchdog:
    """Shuts the socket down at the deadline, so a server that drips bytes cannot hold a read open."""

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self.fired = False
        self.sock = sock  # replaced by the TLS socket once the handshake is done
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        with contextlib.suppress(OSError):  # already closed: nothing left to cut
            self.sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _accepted(media: str, accept: Collection[str]) -> bool:
    return any(pattern in ("*/*", media) or (pattern.endswith("/*") and media.startswith(pattern[:-1])) for pattern in accept)


def _size(count: float) -> str:
    return f"{count / 1e6:.3g} MB" if count >= 1e6 else f"{count / 1e3:.3g} kB"


def _connect(url: str, target: _Target, addresses: list[str], policy: FetchPolicy, deadline: float) -> socket.socket:
    """A TCP connection to the first vetted address that answers; no name is looked up here."""
    failure: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection(
                (address, target.port), min(policy.connect_timeout, _deadline_left(deadline, url, policy))
            )
        except OSError as error:
            failure = error
    if isinstance(failure, TimeoutError):
        raise FetchError(url, f"timed out connecting after {policy.connect_timeout:g} s") from failure
    raise FetchError(url, f"connection failed ({getattr(failure, 'strerror', None) or failure})") from failure


@dataclass(frozen=True)
class _Redirect:
    status: int
    location: str


def _get(url: str, target: _Target, accept: Collection[str], policy: FetchPolicy, deadline: float) -> FetchResult | _Redirect:
    """One request to a vetted address: the body, or where the server redirects to."""
    sock = _connect(url, target, _resolve(url, target, policy, deadline), policy, deadline)
    watchdog = _Watchdog(sock, _deadline_left(deadline, url, policy))  # covers the TLS handshake too
    conn: http.client.HTTPConnection | None = None
    try:
        sock.settimeout(min(policy.read_timeout, _deadline_left(deadline, url, policy)))
        if target.scheme == "https":
            tls = ssl.create_default_context(cafile=policy.ca_file)
            sock = watchdog.sock = tls.wrap_socket(sock, server_hostname=target.host)  # SNI and certificate: the name
            conn = http.client.HTTPSConnection(target.host, target.port, context=tls)
        else:
            conn = http.client.HTTPConnection(target.host, target.port)
        conn.sock = sock  # already connected to the vetted address, so http.client never connects by name
        conn.putrequest("GET", target.path, skip_accept_encoding=True)
        conn.putheader("User-Agent", policy.user_agent)
        conn.putheader("Accept", ", ".join(accept))
        conn.putheader("Accept-Encoding", "identity")  # no compressed bodies: the byte cap counts real bytes
        conn.putheader("Connection", "close")
        conn.endheaders()
        response = conn.getresponse()
        if response.status in REDIRECT_STATUSES:
            return _Redirect(response.status, (response.getheader("Location") or "").strip())
        if not 200 <= response.status < 300:
            raise FetchError(
                url,
                f"the server answered HTTP {response.status} {response.reason}".rstrip(),
                status=response.status,
                retry_after=response.getheader("Retry-After"),
            )
        if not response.getheader("Content-Type"):
            raise FetchError(url, "the server sent no content type")
        media = response.headers.get_content_type()
        if not _accepted(media, accept):
            raise FetchError(url, f"content type {media} is not accepted (expected {', '.join(accept)})")
        announced = response.getheader("Content-Length", "")
        if announced.isdigit() and int(announced) > policy.max_bytes:
            raise FetchError(url, f"larger than {_size(policy.max_bytes)} (the server announces {_size(int(announced))})")
        chunks, size = [], 0
        while chunk := response.read1(CHUNK_BYTES):
            size += len(chunk)
            if size > policy.max_bytes:
                raise FetchError(url, f"larger than {_size(policy.max_bytes)}")
            chunks.append(chunk)
            sock.settimeout(min(policy.read_timeout, _deadline_left(deadline, url, policy)))
        if watchdog.fired:  # the cut looks like the end of the body: it is not
            raise FetchError(url, f"timed out after {policy.total_timeout:g} s")
        return FetchResult(url, url, response.status, media, response.headers.get_content_charset(), b"".join(chunks))
    except FetchError as error:
        if watchdog.fired:  # what a cut stream looked like (no headers, a short body) is not the reason
            raise FetchError(url, f"timed out after {policy.total_timeout:g} s") from error
        raise
    except (OSError, http.client.HTTPException, ValueError) as error:  # ValueError: a TLS socket cut mid-read
        if watchdog.fired or time.monotonic() >= deadline:  # the socket timeout may beat the watchdog to it
            raise FetchError(url, f"timed out after {policy.total_timeout:g} s") from error
        if isinstance(error, TimeoutError):
            raise FetchError(url, f"timed out: no data for {policy.read_timeout:g} s") from error
        if isinstance(error, ssl.SSLError):
            reason = getattr(error, "verify_message", None) or error.reason or error
            raise FetchError(url, f"TLS failed ({reason})") from error
        raise FetchError(url, f"the connection failed ({type(error).__name__}: {error})") from error
    finally:
        watchdog.cancel()
        if conn is not None:
            conn.close()
        sock.close()


def fetch(url: str, accept: Collection[str] = HTML_TYPES, policy: FetchPolicy | None = None) -> FetchResult:
    """Download ``url`` under ``policy`` (the settings' policy when None), accepting only ``accept`` types.

    Raises :class:`FetchError` naming the URL and the reason for every refusal and failure.
    """
    policy = policy or default_policy()
    deadline = time.monotonic() + policy.total_timeout
    current = url
    for _hop in range(policy.max_redirects + 1):
        try:
            answer = _get(current, _parse(current), accept, policy, deadline)
        except FetchError as error:
            if current == url:
                raise
            raise FetchError(url, f"redirected to {current}, then {error.reason}", error.status, error.retry_after) from error
        if isinstance(answer, FetchResult):
            return replace(answer, url=url, final_url=current)
        if not answer.location:
            raise FetchError(url, f"redirect {answer.status} without a Location header")
        current = urljoin(current, answer.location)
    raise FetchError(url, f"more than {policy.max_redirects} redirects")


@dataclass(frozen=True)
class FetchOutcome:
    """What happened to one URL of :func:`fetch_many`: fetched (with its result), skipped or failed (with why)."""

    url: str
    state: str  # "fetched", "skipped" or "failed"
    result: FetchResult | None = None
    reason: str = ""


def fetch_many(
    urls: Iterable[str],
    accept: Collection[str] = HTML_TYPES,
    policy: FetchPolicy | None = None,
    workers: int = 4,
    progress: Callable[[int, int], None] | None = None,
) -> list[FetchOutcome]:
    """Fetch many URLs, at most ``workers`` (capped at :data:`MAX_WORKERS`) at a time; one outcome per
    URL in the order given. Blank lines and repeats are skipped. ``progress(done, total)`` is called
    from the calling thread (so a UI may draw in it) after each URL."""
    policy = policy or default_policy()
    seen: set[str] = set()
    outcomes: list[FetchOutcome | None] = []
    todo: list[tuple[int, str]] = []
    for raw in urls:
        url = raw.strip()
        if not url:
            continue
        if url in seen:
            outcomes.append(FetchOutcome(url, "skipped", reason="listed more than once"))
            continue
        seen.add(url)
        todo.append((len(outcomes), url))
        outcomes.append(None)
    total, done = len(outcomes), len(outcomes) - len(todo)
    if progress and done:
        progress(done, total)
    with ThreadPoolExecutor(max_workers=max(1, min(workers, MAX_WORKERS)), thread_name_prefix="fetch") as pool:
        futures = {pool.submit(fetch, url, accept, policy): (slot, url) for slot, url in todo}
        for future in as_completed(futures):
            slot, url = futures[future]
            try:
                outcomes[slot] = FetchOutcome(url, "fetched", result=future.result())
            except FetchError as error:
                outcomes[slot] = FetchOutcome(url, "failed", reason=error.reason)
            done += 1
            if progress:
                progress(done, total)
    return [outcome for outcome in outcomes if outcome is not None]

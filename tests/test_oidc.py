"""Single sign-on through the organisation's identity provider (Streamlit's OpenID Connect
``st.login``), end to end in a real browser against a small fake issuer on 127.0.0.1 that serves
discovery, an authorization endpoint that consents at once, a token endpoint issuing an RS256-signed
ID token, and its keys — the same documents a real provider serves (OpenID Connect Discovery 1.0,
Core 1.0 §3.1). The person is let in only when the e-mail the provider vouches for belongs to an
active workbench account, and then with that account's role."""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from checks import actions
from checks.actions import Actor
from checks.store import Store
from checks.vocab import Role
from tests.test_browser import CHROMIUM_ARGS, MODEL_TIMEOUT_MS, UI_TIMEOUT_MS, _free_port, chromium, running_app  # noqa: F401

pytestmark = [pytest.mark.browser]
CLIENT_ID, CLIENT_SECRET = "workbench-test", "test-client-secret"


class FakeIssuer:
    """An OpenID Provider that signs in whoever it is told to, for the workbench's tests."""

    def __init__(self, email: str) -> None:
        from joserfc.jwk import RSAKey

        self.email = email
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test", "use": "sig", "alg": "RS256"})
        self.codes: dict[str, str] = {}  # authorization code → the nonce the client sent
        self.requests: list[str] = []
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _json(self, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urllib.parse.urlparse(self.path)
                issuer.requests.append(url.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    self._json(
                        {
                            "issuer": issuer.url,
                            "authorization_endpoint": f"{issuer.url}/authorize",
                            "token_endpoint": f"{issuer.url}/token",
                            "jwks_uri": f"{issuer.url}/jwks",
                            "response_types_supported": ["code"],
                            "subject_types_supported": ["public"],
                            "id_token_signing_alg_values_supported": ["RS256"],
                            "code_challenge_methods_supported": ["S256"],
                        }
                    )
                elif url.path == "/jwks":
                    self._json({"keys": [issuer.key.as_dict(private=False)]})
                elif url.path == "/authorize":  # consents at once and sends the browser back with a code
                    code = secrets.token_urlsafe(16)
                    issuer.codes[code] = query.get("nonce", "")
                    back = f"{query['redirect_uri']}?{urllib.parse.urlencode({'code': code, 'state': query['state']})}"
                    self.send_response(302)
                    self.send_header("Location", back)
                    self.end_headers()
                else:
                    self.send_error(404)

            def do_POST(self) -> None:
                from joserfc import jwt

                issuer.requests.append(self.path)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
                nonce = issuer.codes.pop(form.get("code", ""), None)
                if self.path != "/token" or nonce is None:
                    self.send_error(400)
                    return
                now = int(time.time())
                claims = {
                    "iss": issuer.url,
                    "sub": "user-1",
                    "aud": CLIENT_ID,
                    "iat": now,
                    "exp": now + 300,
                    "nonce": nonce,
                    "email": issuer.email,
                    "email_verified": True,
                    "name": "Olga Editor",
                }
                id_token = jwt.encode({"alg": "RS256", "kid": "test"}, claims, issuer.key)
                self._json(
                    {
                        "access_token": "at-" + secrets.token_urlsafe(8),
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": id_token,
                    }
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def sso_app(tmp_path: Path):
    """The app with single sign-on configured against a fake issuer; an account linked to the
    e-mail the issuer vouches for."""
    issuer = FakeIssuer("olga@newsroom.example")
    store = Store(tmp_path / "data" / "workbench.db")
    actions.add_account(store, Actor("setup", Role.ADMIN), "Olga", Role.EDITOR, identity="olga@newsroom.example")
    store.close()
    port = _free_port()
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{issuer.url}/.well-known/openid-configuration"\n'
    )
    try:
        with running_app(tmp_path / "data", tmp_path / "streamlit.log", port, ("--secrets.files", str(secrets_file))) as url:
            yield url, issuer, tmp_path
    finally:
        issuer.close()


def _sign_in_with_the_provider(browser_path: str, url: str, expect_shown: str, then_articles: bool) -> None:
    """Click "Sign in with your organisation" in a real browser and check what the app shows after
    the round trip through the provider (the Articles page, or not)."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.set_default_timeout(UI_TIMEOUT_MS)
            page.goto(url)
            page.get_by_role("button", name="Sign in with your organisation").click(timeout=MODEL_TIMEOUT_MS)
            expect(page.get_by_text(expect_shown)).to_be_visible(timeout=MODEL_TIMEOUT_MS)
            articles = expect(page.get_by_role("heading", name="Articles", exact=True))
            if then_articles:
                articles.to_be_visible()
            else:
                articles.not_to_be_visible()
        finally:
            browser.close()


def test_single_sign_on_lets_in_the_linked_account_with_its_role(chromium, sso_app):  # noqa: F811
    url, issuer, tmp_path = sso_app
    _sign_in_with_the_provider(chromium, url, "Signed in as Olga (editor)", then_articles=True)
    assert {"/.well-known/openid-configuration", "/authorize", "/token", "/jwks"} <= set(issuer.requests)
    logged = Store(tmp_path / "data" / "workbench.db").query(
        "SELECT reviewer, action, new FROM audit_log WHERE entity = 'accounts'"
    )
    assert [(r["reviewer"], r["action"]) for r in logged][-1] == ("Olga", "sign in")
    assert "single sign-on" in logged[-1]["new"]


def test_an_identity_without_an_account_is_refused(chromium, sso_app):  # noqa: F811
    url, issuer, tmp_path = sso_app
    issuer.email = "stranger@elsewhere.example"
    _sign_in_with_the_provider(chromium, url, "stranger@elsewhere.example has no active account here", then_articles=False)
    refused = Store(tmp_path / "data" / "workbench.db").query("SELECT action FROM audit_log WHERE action = 'sign-in refused'")
    assert len(refused) >= 1

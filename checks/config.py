"""Settings: where the database lives, which embedding model to load, what the URL fetcher may reach
and which search connectors are switched on.

Every setting comes from an environment variable with a working default, so the app and the
CLI run with zero configuration.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from checks.errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_DATA = PROJECT_ROOT / "data"
DEMO_ARTICLE = SHIPPED_DATA / "demo" / "article.txt"
DEMO_EVIDENCE = SHIPPED_DATA / "demo" / "evidence.jsonl"
SHIPPED_SOURCES = SHIPPED_DATA / "sources"  # rating sets, listed in its datasets.json
FACTCHECK_API_URL = "https://factchecktools.googleapis.com/v1alpha1/claims:search"
GDELT_DOC_URL = "https://api.gdeltproject.org/api/v2/doc/doc"
# A Wikipedia language code goes into a host name: letters and hyphens only (en, de, zh-min-nan).
WIKI_LANG = re.compile(r"[a-z]{2,3}(?:-[a-z]{2,8})*")


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with :func:`load_settings`."""

    data_dir: Path
    model: str | None  # a local folder or an installed model name; None = packaged MiniLM
    session_hours: float = 12.0  # a signed-in session lasts this long, then asks to sign in again

    @property
    def db_path(self) -> Path:
        return self.data_dir / "workbench.db"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


def load_settings(data_dir: str | os.PathLike | None = None, model: str | None = None) -> Settings:
    """Read settings from arguments, then ``WORKBENCH_DATA_DIR`` / ``WORKBENCH_MODEL`` /
    ``WORKBENCH_SESSION_HOURS``."""
    resolved_dir = Path(data_dir or os.environ.get("WORKBENCH_DATA_DIR") or PROJECT_ROOT / "var")
    resolved_dir.mkdir(parents=True, exist_ok=True)
    return Settings(
        data_dir=resolved_dir,
        model=model or os.environ.get("WORKBENCH_MODEL") or None,
        session_hours=float(os.environ.get("WORKBENCH_SESSION_HOURS") or 12),
    )


@dataclass(frozen=True)
class FetchSettings:
    """Internal hosts the fetcher may reach anyway (none by default) and a contact for its user agent."""

    allow_hosts: frozenset[str]
    contact: str | None


def load_fetch_settings() -> FetchSettings:
    """Read ``WORKBENCH_FETCH_ALLOW_HOSTS`` (comma-separated host names or IPs) and ``WORKBENCH_FETCH_CONTACT``
    (a URL or e-mail address site owners can reach the newsroom at)."""
    hosts = os.environ.get("WORKBENCH_FETCH_ALLOW_HOSTS", "")
    return FetchSettings(
        allow_hosts=frozenset(host.strip() for host in hosts.split(",") if host.strip()),
        contact=os.environ.get("WORKBENCH_FETCH_CONTACT") or None,
    )


@dataclass(frozen=True)
class ConnectorSettings:
    """Which public search services the workbench may query; every one is off until configured."""

    wikipedia: bool = False
    wikipedia_lang: str = "en"
    wikipedia_url: str = "https://en.wikipedia.org/w/api.php"
    searxng_url: str | None = None  # the instance's base URL, e.g. https://searx.newsroom.example
    factcheck_api_key: str | None = None
    factcheck_url: str = FACTCHECK_API_URL
    gdelt: bool = False
    gdelt_url: str = GDELT_DOC_URL


def _switch(name: str) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigurationError(f"{name} must be 1 or 0, not {value!r}.")


def load_connector_settings() -> ConnectorSettings:
    """Read ``WORKBENCH_WIKIPEDIA`` (1 to switch on), ``WORKBENCH_WIKIPEDIA_LANG`` (default en),
    ``WORKBENCH_WIKIPEDIA_URL`` (default that language's Wikipedia API), ``WORKBENCH_SEARXNG_URL``,
    ``WORKBENCH_FACTCHECK_API_KEY`` and ``WORKBENCH_FACTCHECK_URL``, ``WORKBENCH_GDELT`` (1) and
    ``WORKBENCH_GDELT_URL``."""
    lang = (os.environ.get("WORKBENCH_WIKIPEDIA_LANG") or "en").strip().lower()
    if not WIKI_LANG.fullmatch(lang):
        raise ConfigurationError(f"WORKBENCH_WIKIPEDIA_LANG must be a Wikipedia language code such as en or de, not {lang!r}.")
    return ConnectorSettings(
        wikipedia=_switch("WORKBENCH_WIKIPEDIA"),
        wikipedia_lang=lang,
        wikipedia_url=os.environ.get("WORKBENCH_WIKIPEDIA_URL") or f"https://{lang}.wikipedia.org/w/api.php",
        searxng_url=os.environ.get("WORKBENCH_SEARXNG_URL") or None,
        factcheck_api_key=os.environ.get("WORKBENCH_FACTCHECK_API_KEY") or None,
        factcheck_url=os.environ.get("WORKBENCH_FACTCHECK_URL") or FACTCHECK_API_URL,
        gdelt=_switch("WORKBENCH_GDELT"),
        gdelt_url=os.environ.get("WORKBENCH_GDELT_URL") or GDELT_DOC_URL,
    )

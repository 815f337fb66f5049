"""Settings: where the database lives, which embedding model to load, and what the URL fetcher may reach.

Every setting comes from an environment variable with a working default, so the app and the
CLI run with zero configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_DATA = PROJECT_ROOT / "data"
DEMO_ARTICLE = SHIPPED_DATA / "demo" / "article.txt"
DEMO_EVIDENCE = SHIPPED_DATA / "demo" / "evidence.jsonl"
SHIPPED_SOURCES = SHIPPED_DATA / "sources"  # rating sets, listed in its datasets.json


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

"""Shared fixtures: a fresh store per test, one real packaged model per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.config import load_settings
from checks.embedding import Encoder
from checks.service import Workbench
from checks.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED_ARTICLE = SHARED / "seeds" / "000_ec38c4890cdda49b.txt"
DATASETS = SHARED / "datasets"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    db = Store(tmp_path / "test.db")
    yield db
    db.close()


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return Encoder()


@pytest.fixture
def workbench(tmp_path: Path, encoder: Encoder) -> Workbench:
    """A workbench on an empty data folder, seeded with the shipped demo data, sharing the model."""
    bench = Workbench(load_settings(tmp_path / "data"))
    bench._encoder = encoder  # the model is read-only; loading it once per session keeps tests fast
    bench.seed_demo_data()
    return bench


@pytest.fixture
def seed_text() -> str:
    if not SEED_ARTICLE.exists():
        pytest.skip("seed article not present beside the project")
    return SEED_ARTICLE.read_text(encoding="utf-8")


CLI_ACCOUNTS = {"Ann": "editor", "Bob": "editor", "Eve": "editor", "Rita": "reviewer"}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder whose database already has the admin and the CLI_ACCOUNTS (as a team's would),
    so command-line runs act as named accounts without the first-start message."""
    from checks import actions
    from checks.actions import Actor
    from checks.vocab import Role

    folder = tmp_path / "data"
    store = Store(folder / "workbench.db")
    actions.ensure_first_admin(store)
    for name, role in CLI_ACCOUNTS.items():
        actions.add_account(store, Actor("setup", Role.ADMIN), name, role, password="a long enough password")
    store.close()
    return folder

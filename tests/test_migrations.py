"""Schema migrations are named functions applied in order; a database made by the first schema
version, with data in it, upgrades to the current one losing nothing and staying usable."""

from __future__ import annotations

import json
import sqlite3

import pytest

from checks import actions, review, sources
from checks.actions import Actor
from checks.errors import ConfigurationError
from checks.store import MIGRATIONS, OWN_COLLECTION, Store, m001_initial_schema

NOW = "2026-01-02T03:04:05+00:00"


def _version_one(path) -> None:
    """A database as the first release wrote it: one article, two claims, a verdict changed once
    (both changes in the old audit format), an evidence mark and a source rating."""
    store = Store(path, migrations=[m001_initial_schema])
    assert store.schema_version == 1
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO articles (id, title, domain, body, content_hash, created_at) VALUES (1, 'Minsk', 'example.com',"
            " 'Police detained 32 people. The ministry said 42 sites.', 'h1', ?)",
            (NOW,),
        )
        conn.execute(
            "INSERT INTO claims (id, article_id, position, text, start, end, score, claim_type, status) VALUES"
            " (1, 1, 0, 'Police detained 32 people.', 0, 26, 0.9, 'statistic', 'done'),"
            " (2, 1, 1, 'The ministry said 42 sites.', 27, 54, 0.7, 'attribution', 'to do')"
        )
        conn.execute(
            "INSERT INTO documents (id, title, domain, body, content_hash, created_at) VALUES (1, 'Report', 'news.org',"
            " 'Police held 32 people.', 'd1', ?)",
            (NOW,),
        )
        conn.execute(
            "INSERT INTO passages (id, document_id, text, start, end, text_hash)"
            " VALUES (1, 1, 'Police held 32 people.', 0, 22, 't')"
        )
        first = {
            "claim_id": 1,
            "verdict": "disputed",
            "rationale": "other figures",
            "reviewer": "Ann",
            "rating_snapshot": "{}",
            "evidence_snapshot": "[]",
            "version": 1,
            "decided_at": NOW,
        }
        second = {**first, "verdict": "verified", "rationale": "", "reviewer": "Bob", "version": 2}
        conn.execute(
            "INSERT INTO verdicts VALUES (:claim_id, :verdict, :rationale, :reviewer, :rating_snapshot, :evidence_snapshot,"
            " :version, :decided_at)",
            second,
        )
        mark = {"claim_id": 1, "passage_id": 1, "mark": "supports", "reviewer": "Bob", "marked_at": NOW}
        conn.execute("INSERT INTO evidence_marks VALUES (:claim_id, :passage_id, :mark, :reviewer, :marked_at)", mark)
        conn.execute(
            "INSERT INTO sources (domain, rating, label, rater, scale, updated_at)"
            " VALUES ('example.com', 0.4, 'low', 'test', '0-1', ?)",
            (NOW,),
        )
        for reviewer, old, new, entity in (
            ("Ann", None, first, "verdicts"),
            ("Bob", first, second, "verdicts"),
            ("Bob", None, mark, "evidence_marks"),
        ):
            conn.execute(
                "INSERT INTO audit_log (at, reviewer, action, entity, entity_id, old, new) VALUES (?,?,?,?,?,?,?)",
                (
                    NOW,
                    reviewer,
                    "set verdict" if entity == "verdicts" else "mark passage",
                    entity,
                    1,
                    json.dumps(old) if old else None,
                    json.dumps(new),
                ),
            )
    store.close()


@pytest.fixture
def upgraded(tmp_path):
    path = tmp_path / "old.db"
    _version_one(path)
    store = Store(path)
    yield store
    store.close()


def test_upgrade_from_the_first_schema_keeps_every_row(upgraded):
    assert upgraded.schema_version == len(MIGRATIONS)
    counts = {
        table: upgraded.query_one(f"SELECT COUNT(*) FROM {table}")[0]
        for table in ("articles", "claims", "documents", "passages", "verdicts", "evidence_marks", "sources", "audit_log")
    }
    assert counts == {
        "articles": 1,
        "claims": 2,
        "documents": 1,
        "passages": 1,
        "verdicts": 1,
        "evidence_marks": 1,
        "sources": 1,
        "audit_log": 3,
    }
    verdict = upgraded.query_one("SELECT verdict, reviewer, version FROM verdicts WHERE claim_id = 1")
    assert tuple(verdict) == ("verified", "Bob", 2)
    # Later migrations' columns exist with their defaults.
    assert upgraded.query_one("SELECT double_review FROM articles WHERE id = 1")[0] == 0
    assert upgraded.query_one("SELECT title FROM factchecks WHERE claim_id = 1") is not None
    # The per-domain rating is kept under the domain as its key.
    rating = sources.lookup(upgraded, "https://www.example.com/news")
    assert (rating.rating, rating.key, rating.rater) == (0.4, "example.com", "test")


def test_upgraded_history_is_linked_to_claims_and_undoable(upgraded):
    events = review.history(upgraded, 1)
    assert [e.actor for e in events] == ["Bob", "Bob", "Ann"]
    assert all(e.changes for e in events)
    verdict_change = next(e for e in events if e.entity == "verdicts" and e.actor == "Bob")
    actions.undo(upgraded, Actor("Eve"), verdict_change.id)
    row = upgraded.query_one("SELECT verdict, reviewer, version FROM verdicts WHERE claim_id = 1")
    assert tuple(row) == ("disputed", "Ann", 3)  # restored as a new version
    # The upgrade mirrored the stored verdict into the fact-check library, and the undo followed it.
    mirrored = upgraded.query_one("SELECT verdict FROM factchecks WHERE collection = ? AND claim_id = 1", (OWN_COLLECTION,))
    assert mirrored["verdict"] == "disputed"


def test_upgraded_database_takes_new_actions(upgraded):
    saved = actions.set_verdict(upgraded, Actor("Cy"), 2, "unsupported", "no source found", expected_version=0)
    assert saved.version == 1
    assert upgraded.query_one("SELECT status FROM claims WHERE id = 2")[0] == "done"


def test_every_migration_is_a_named_documented_function():
    names = [m.__name__ for m in MIGRATIONS]
    assert names == sorted(names) and len(set(names)) == len(names)
    assert all(m.__doc__ for m in MIGRATIONS)
    assert [int(n[1:4]) for n in names] == list(range(1, len(MIGRATIONS) + 1))


def test_a_newer_database_is_refused(tmp_path):
    path = tmp_path / "new.db"
    Store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(ConfigurationError, match="newer than this workbench"):
        Store(path)


def test_an_override_audited_before_rating_keys_stays_undoable(tmp_path):
    """An override recorded by the action layer on the per-domain table (schema 5) is rewritten
    to the keyed layers: after the upgrade, undo removes it and the imported rating shows again."""
    path = tmp_path / "v5.db"
    store = Store(path, migrations=MIGRATIONS[:5])
    imported = {
        "domain": "express.co.uk",
        "name": "express.co.uk",
        "rating": 0.37,
        "label": "low",
        "rater": "Lin et al. 2023 aggregate (pc1)",
        "scale": "0-1",
        "as_of": "2023",
        "imputed": 1,
        "components": json.dumps({"iffy_listed": "2024-08-01"}),
        "notes": "",
        "updated_by": "shipped data",
        "updated_at": NOW,
    }
    override = {
        **imported,
        "rating": 0.55,
        "label": "medium",
        "rater": "override by Ann",
        "imputed": 0,
        "notes": "corrections policy",
        "updated_by": "Ann",
    }
    with store.transaction() as conn:
        conn.execute(
            f"INSERT INTO sources ({', '.join(override)}) VALUES ({', '.join('?' * len(override))})", tuple(override.values())
        )
        change = {"table": "sources", "key": {"domain": "express.co.uk"}, "old": imported, "new": override}
        conn.execute(
            "INSERT INTO audit_log (at, reviewer, action, entity, old, new, changes) VALUES (?,?,?,?,?,?,?)",
            (NOW, "Ann", "override rating", "sources", "{}", "{}", json.dumps([change])),
        )
    store.close()
    upgraded = Store(path)
    shown = sources.lookup(upgraded, "express.co.uk")
    assert (shown.rating, shown.is_override, shown.listing["as_of"]) == (0.55, True, "2024-08-01")
    actions.import_lin2023(upgraded, Actor("Bob"), b"domain,pc1\nexpress.co.uk,0.37\n")
    event = upgraded.query_one("SELECT id FROM audit_log WHERE action = 'override rating'")["id"]
    actions.undo(upgraded, Actor("Ann"), event)
    assert sources.lookup(upgraded, "express.co.uk").rating == 0.37
    upgraded.close()

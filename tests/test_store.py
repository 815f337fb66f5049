import sqlite3

import pytest

from checks.store import MIGRATIONS, Store


def test_migrated_to_latest_and_reopen_is_idempotent(tmp_path):
    first = Store(tmp_path / "w.db")
    assert first.schema_version == len(MIGRATIONS)
    first.close()
    again = Store(tmp_path / "w.db")
    assert again.schema_version == len(MIGRATIONS)
    assert again.query_one("PRAGMA journal_mode")[0] == "wal"


def test_transaction_rolls_back_everything_on_error(store):
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as conn:
        conn.execute("INSERT INTO audit_log (at, reviewer, action, entity) VALUES ('t', 'a', 'x', 'y')")
        conn.execute("INSERT INTO verdicts (claim_id, verdict, reviewer, decided_at) VALUES (1, 'wrong', 'a', 't')")
    assert store.query_one("SELECT COUNT(*) FROM audit_log")[0] == 0

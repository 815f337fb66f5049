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


def test_a_long_write_in_one_session_never_makes_another_sessions_reads_wait(tmp_path):
    import threading
    import time

    store = Store(tmp_path / "w.db")
    holding, release = threading.Event(), threading.Event()

    def long_import() -> None:  # one reviewer's big import holds the write lock
        with store.transaction() as conn:
            conn.execute("INSERT INTO audit_log (at, reviewer, action, entity) VALUES ('t', 'Ann', 'x', 'y')")
            holding.set()
            release.wait(10)

    writer = threading.Thread(target=long_import)
    writer.start()
    holding.wait(10)
    started = time.monotonic()
    assert store.query_one("SELECT COUNT(*) FROM audit_log")[0] == 0  # the other session reads the last committed state
    waited = time.monotonic() - started
    release.set()
    writer.join(10)
    assert waited < 1.0  # not the lock holder's 10 s: reads do not queue behind a write under WAL
    assert store.query_one("SELECT COUNT(*) FROM audit_log")[0] == 1

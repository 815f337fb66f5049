"""The action layer: one transaction and one typed audit event per action, all-or-nothing batches,
undo that never reverts someone else's later change, roles checked where the change is made, and
no write to the database anywhere else."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from checks import actions, review
from checks.actions import Actor
from checks.errors import ConflictError, InputError, NotFoundError, PermissionDenied, WorkbenchError
from checks.ingest import ArticleDraft, parse_text
from checks.vocab import AuditAction, ReviewState, Role

REPO = Path(__file__).resolve().parents[1]
ANN, BOB = Actor("Ann"), Actor("Bob")
ARTICLE = (
    "Minsk protest report\n\nPolice detained 32 people in Minsk on Saturday. The ministry said 42 sites were recorded. "
    "Officials counted 700 arrests by Sunday.\n\nsource: example.com"
)


@pytest.fixture
def claims(store) -> list[int]:
    saved = actions.ingest_article(store, ANN, parse_text(ARTICLE))
    return [r["id"] for r in store.query("SELECT id FROM claims WHERE article_id = ? ORDER BY position", (saved.article_id,))]


@pytest.fixture
def passage(store) -> int:
    actions.import_evidence(
        store, ANN, [ArticleDraft("Report", "Police held 32 people in Minsk on Saturday.", domain="news.org")], "t"
    )
    return int(store.query_one("SELECT MIN(id) FROM passages")[0])


def events(store) -> list[str]:
    return [r["action"] for r in store.query("SELECT action FROM audit_log ORDER BY id")]


def test_each_action_appends_exactly_one_typed_event(store, claims, passage):
    before = len(events(store))
    actions.mark_passage(store, ANN, claims[1], passage, "supports")
    actions.set_verdict(store, ANN, claims[1], "verified")
    actions.bulk_verdict(store, BOB, claims[2:], "unsupported", "no source")
    actions.edit_claim(store, BOB, claims[3], "Officials counted 700 arrests.")
    logged = events(store)[before:]
    assert logged == [AuditAction.MARK_PASSAGE, AuditAction.SET_VERDICT, AuditAction.BULK_VERDICT, AuditAction.EDIT_CLAIM]
    assert set(events(store)) <= {str(a) for a in AuditAction}


def test_a_refused_action_writes_nothing(store, claims):
    before = store.query_one("SELECT COUNT(*) FROM audit_log")[0]
    with pytest.raises(InputError, match="rationale"):
        actions.set_verdict(store, ANN, claims[1], "disputed")
    with pytest.raises(NotFoundError):
        actions.set_verdict(store, ANN, 9999, "verified")
    assert store.query_one("SELECT COUNT(*) FROM audit_log")[0] == before
    assert store.query_one("SELECT COUNT(*) FROM verdicts")[0] == 0


def test_bulk_verdict_is_all_or_nothing_and_undone_at_once(store, claims):
    actions.set_verdict(store, ANN, claims[2], "verified")  # version 1, after the editor loaded version 0
    with pytest.raises(ConflictError, match="Ann"):
        actions.bulk_verdict(store, BOB, claims[1:4], "unsupported", "no source", expected_versions=dict.fromkeys(claims[1:4], 0))
    assert store.query_one("SELECT COUNT(*) FROM verdicts")[0] == 1  # nothing of the batch was written
    batch = actions.bulk_verdict(store, BOB, [claims[1], claims[3]], "unsupported", "no source")
    assert store.query_one("SELECT COUNT(*) FROM verdicts WHERE verdict = 'unsupported'")[0] == 2
    actions.undo(store, BOB, batch.audit_id)
    assert store.query_one("SELECT COUNT(*) FROM verdicts")[0] == 1
    assert [e.action for e in review.history(store, claims[1])][:2] == ["undo", "bulk verdict"]


def test_undo_never_reverts_a_later_change_by_someone_else(store, claims, passage):
    first = actions.mark_passage(store, ANN, claims[1], passage, "supports")
    actions.mark_passage(store, BOB, claims[1], passage, "contradicts")
    with pytest.raises(ConflictError, match="changed again"):
        actions.undo(store, ANN, first.audit_id)
    assert review.passage_marks(store, claims[1]) == {passage: "contradicts"}


def test_undo_of_a_verdict_restores_it_as_a_new_version(store, claims):
    actions.set_verdict(store, ANN, claims[1], "verified")
    second = actions.set_verdict(store, BOB, claims[1], "disputed", "ministry figures differ", expected_version=1)
    undone = actions.undo(store, BOB, second.audit_id)
    row = store.query_one("SELECT verdict, reviewer, version FROM verdicts WHERE claim_id = ?", (claims[1],))
    assert tuple(row) == ("verified", "Ann", 3)
    with pytest.raises(InputError, match="already undone"):
        actions.undo(store, BOB, second.audit_id)
    assert store.query_one("SELECT undone_by FROM audit_log WHERE id = ?", (second.audit_id,))[0] == undone.audit_id


def test_reuse_writes_verdict_and_decision_together(store, claims):
    report = actions.import_factchecks(
        store, ANN, "checks.csv", b"claim,verdict,url\nPolice detained 32 people in Minsk on Saturday,false,https://f.example/1\n"
    )
    assert report.imported == 1
    factcheck = int(store.query_one("SELECT id FROM factchecks WHERE collection = 'checks'")[0])
    actions.set_verdict(store, ANN, claims[1], "verified")
    with pytest.raises(ConflictError):
        actions.reuse_factcheck(store, BOB, claims[1], factcheck, expected_version=0)
    assert store.query_one("SELECT COUNT(*) FROM factcheck_decisions")[0] == 0  # neither half was written
    reused = actions.reuse_factcheck(store, BOB, claims[1], factcheck, expected_version=1)
    assert reused.version == 2
    assert store.query_one("SELECT decision FROM factcheck_decisions")[0] == "reused"


def test_roles_are_checked_in_the_action_layer(store, claims):
    reviewer = Actor("Rita", Role.REVIEWER)
    for refused in (
        lambda: actions.bulk_verdict(store, reviewer, claims[1:3], "verified"),
        lambda: actions.edit_claim(store, reviewer, claims[1], "new wording"),
        lambda: actions.import_evidence(store, reviewer, [], "x"),
        lambda: actions.override_rating(store, reviewer, "example.com", 0.2, "because"),
        lambda: actions.assign(store, reviewer, 1, "Rita"),
    ):
        with pytest.raises(PermissionDenied, match="needs the editor role"):
            refused()
    saved = actions.set_verdict(store, ANN, claims[1], "verified")
    with pytest.raises(PermissionDenied, match="Only an editor"):
        actions.undo(store, reviewer, saved.audit_id)
    actions.assign(store, ANN, 1, "Sam")
    with pytest.raises(PermissionDenied, match="assigned to Sam"):
        actions.set_verdict(store, reviewer, claims[2], "verified")
    assert actions.set_verdict(store, Actor("Sam", Role.REVIEWER), claims[2], "verified").version == 1


def test_no_anonymous_changes(store, claims):
    with pytest.raises(InputError, match="name"):
        Actor.named("  ")
    with pytest.raises(InputError, match="name"):
        actions.set_verdict(store, Actor(""), claims[1], "verified")


def test_no_final_verdict_over_a_pending_blind_review(store, claims):
    actions.assign(store, ANN, 1, "Ann", "Bob")
    for final in (
        lambda: actions.set_verdict(store, BOB, claims[1], "verified"),
        lambda: actions.bulk_verdict(store, Actor("Ed"), claims[1:3], "verified"),
    ):
        with pytest.raises(InputError, match="blind double review"):
            final()
    assert actions.submit_blind(store, ANN, claims[1], "verified").outcome == "waiting"
    assert actions.submit_blind(store, BOB, claims[1], "verified").outcome == "agreed"
    assert store.query_one("SELECT reviewer FROM verdicts WHERE claim_id = ?", (claims[1],))[0] == "Ann & Bob"
    actions.submit_blind(store, ANN, claims[2], "verified")
    actions.submit_blind(store, BOB, claims[2], "disputed", "other figures")
    with pytest.raises(PermissionDenied):
        actions.adjudicate(store, ANN, claims[2], "disputed", "x")
    assert actions.adjudicate(store, Actor("Ed"), claims[2], "disputed", "ministry said 42").version == 1


def test_review_state_is_one_rule(store, claims, passage):
    assert review.review_state(False, False) is ReviewState.TO_DO
    assert review.review_state(False, True) is ReviewState.IN_REVIEW
    assert review.review_state(True, False) is ReviewState.DONE
    status = lambda: store.query_one("SELECT status FROM claims WHERE id = ?", (claims[1],))[0]  # noqa: E731
    assert status() == "to do"
    actions.mark_passage(store, ANN, claims[1], passage, "supports")
    assert status() == "in review"
    saved = actions.set_verdict(store, ANN, claims[1], "verified")
    assert status() == "done"
    actions.undo(store, ANN, saved.audit_id)
    assert status() == "in review"


def test_verdict_import_obeys_the_verdict_rules(store):
    data = (
        b"claim_text,verdict,rationale,article_title\n"
        b"Police detained 32 people.,disputed,,Report\n"
        b"Police detained 33 people.,verified,,Report\n"
    )
    report = actions.import_verdicts(store, ANN, data)
    assert (report.imported, len(report.skipped)) == (1, 1)
    assert "needs a rationale" in report.skipped[0]


def test_no_database_writes_outside_the_store_and_the_action_layer():
    allowed = {REPO / "checks" / "store.py", *sorted((REPO / "checks" / "actions").glob("*.py"))}
    write = re.compile(r"\b(INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b", re.I)
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for folder in ("checks", "ui")
        for path in sorted((REPO / folder).rglob("*.py"))
        if path not in allowed
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if write.search(line)
    ]
    assert offenders == []
    sql = re.compile(r"\b(SELECT\s+\S+.*\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b", re.I)
    ui_sql = [
        str(p.relative_to(REPO)) for p in [REPO / "workbench.py", *(REPO / "ui").rglob("*.py")] if sql.search(p.read_text())
    ]
    assert ui_sql == []


def test_every_error_is_one_family():
    for error in (InputError, NotFoundError, ConflictError, PermissionDenied):
        assert issubclass(error, WorkbenchError)


def _cli(data_dir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "checks", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [
        ("import-verdicts", "missing.csv"),
        ("factchecks", "import", "missing.tsv"),
        ("sources", "import-lin2023", "missing.csv"),
        ("import-evidence", "missing-folder"),
        ("export", "-o", "/nonexistent-folder/x.csv"),
        ("verdict", "999", "verified"),
        ("undo", "999"),
        ("claim", "drop", "999"),
    ],
)
def test_cli_user_mistakes_are_one_line_not_a_traceback(data_dir, args):
    result = _cli(data_dir, *args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and result.stderr.startswith("error: ")


def test_cli_data_dir_that_is_a_file(tmp_path):
    (tmp_path / "file").write_text("x")
    result = subprocess.run(
        [sys.executable, "-m", "checks", "--data-dir", str(tmp_path / "file"), "agreement"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 1 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr


def test_cli_json_output(tmp_path, data_dir):
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE)
    added = json.loads(_cli(data_dir, "--json", "ingest", str(article)).stdout)
    assert added["created"] is True and added["claims"] >= 3
    verdict = json.loads(
        _cli(data_dir, "verdict", "2", "disputed", "--rationale", "ministry says 42", "--as", "Ann", "--json").stdout
    )
    assert verdict == {"claim_id": 2, "verdict": "disputed", "version": 1, "audit_id": verdict["audit_id"]}
    history = json.loads(_cli(data_dir, "--json", "history", "2").stdout)
    assert history["actor"] == "Ann" and history["action"] == "set verdict"


def test_ingest_stores_who_said_a_quote_and_the_offered_splits(store, seed_text):
    saved = actions.ingest_article(store, ANN, parse_text(seed_text))
    claims = {
        r["text"]: r for r in (dict(row) for row in store.query("SELECT * FROM claims WHERE article_id = ?", (saved.article_id,)))
    }
    quoted = next(c for text, c in claims.items() if "Incredible footage" in text)
    assert quoted["speaker"].endswith("Tobias Ellwood")  # as the article names him ("Conservative MP …")
    compound = next(c for text, c in claims.items() if "26 years" in text)
    assert len(json.loads(compound["split_suggestions"])) == 3

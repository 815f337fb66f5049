import json
import subprocess
import sys
from pathlib import Path

import pytest

from checks import actions, review
from checks.actions import Actor
from checks.articles import appearances, article_claims
from checks.errors import ConflictError, InputError, PermissionDenied
from checks.ingest import ArticleDraft, parse_text
from checks.store import Store
from checks.vocab import AuditAction, BlindOutcome, Verdict

ARTICLE = (
    "Minsk protest report\n\nPolice detained 32 people in Minsk on Saturday. "
    "The ministry said 42 sites were recorded.\n\nsource: express.co.uk"
)
ANN, BOB = Actor("Ann"), Actor("Bob")


@pytest.fixture
def claim_ids(store):
    result = actions.ingest_article(store, Actor("import"), parse_text(ARTICLE))
    return [c["id"] for c in article_claims(store, result.article_id)]


def test_rationale_required_for_disputed_and_unsupported(store, claim_ids):
    with pytest.raises(InputError, match="rationale"):
        actions.set_verdict(store, ANN, claim_ids[1], "disputed")
    with pytest.raises(InputError, match="one of"):
        actions.set_verdict(store, ANN, claim_ids[1], "true")
    assert actions.set_verdict(store, ANN, claim_ids[1], "unsupported", "no passage above threshold").version == 1


def test_every_change_is_logged_and_undoable(store, claim_ids):
    claim = claim_ids[1]
    actions.set_verdict(store, ANN, claim, "verified")
    actions.set_verdict(store, BOB, claim, "disputed", "contradicted by ministry figures")
    entries = review.history(store, claim)
    assert [(e.action, e.new["verdict"]) for e in entries] == [("set verdict", "disputed"), ("set verdict", "verified")]
    assert entries[0].old["verdict"] == "verified" and entries[0].actor == "Bob"
    actions.undo(store, ANN, entries[0].id)
    row = store.query_one("SELECT verdict, reviewer FROM verdicts WHERE claim_id = ?", (claim,))
    assert (row["verdict"], row["reviewer"]) == ("verified", "Ann")
    with pytest.raises(InputError, match="already undone"):
        actions.undo(store, ANN, entries[0].id)
    actions.undo(store, ANN, entries[1].id)
    assert store.query_one("SELECT 1 FROM verdicts WHERE claim_id = ?", (claim,)) is None
    assert store.query_one("SELECT COUNT(*) FROM audit_log WHERE action = 'undo'")[0] == 2


def test_stale_save_raises_conflict_instead_of_overwriting(store, claim_ids):
    claim = claim_ids[1]
    actions.set_verdict(store, ANN, claim, "verified", expected_version=0)
    with pytest.raises(ConflictError, match="Ann"):
        actions.set_verdict(store, BOB, claim, "disputed", "other figures", expected_version=0)
    assert store.query_one("SELECT verdict FROM verdicts WHERE claim_id = ?", (claim,))[0] == "verified"


def test_marked_passages_become_cited_evidence(store, claim_ids):
    actions.import_evidence(
        store,
        ANN,
        [
            ArticleDraft(
                "Wire",
                "The interior ministry said 32 people were detained.",
                url="https://apnews.com/x",
                domain="apnews.com",
            )
        ],
        "test",
    )
    passage = store.query_one("SELECT id FROM passages")[0]
    actions.mark_passage(store, ANN, claim_ids[1], passage, "supports")
    actions.set_verdict(store, ANN, claim_ids[1], "verified")
    evidence = json.loads(store.query_one("SELECT evidence_snapshot FROM verdicts")[0])
    assert evidence[0]["url"] == "https://apnews.com/x" and evidence[0]["mark"] == "supports"
    actions.mark_passage(store, ANN, claim_ids[1], passage, None)
    assert review.passage_marks(store, claim_ids[1]) == {}


def _save_many(path: str, reviewer: str, claim_ids: list[int]) -> None:
    db = Store(path)
    for round_number in range(15):
        for claim in claim_ids:
            verdict = "verified" if round_number % 2 else "unsupported"
            actions.set_verdict(db, Actor(reviewer), claim, verdict, f"round {round_number}")
    db.close()


def test_two_processes_saving_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "shared.db")
    db = Store(path)
    result = actions.ingest_article(db, Actor("import"), parse_text(ARTICLE))
    ids = [c["id"] for c in article_claims(db, result.article_id)]
    # Separate interpreters (not multiprocessing: its spawn re-runs whatever __main__ an earlier
    # in-process app test left behind).
    script = "import json, sys; from tests.test_review import _save_many as save; save(*sys.argv[1:3], json.loads(sys.argv[3]))"
    workers = [
        subprocess.Popen([sys.executable, "-c", script, path, name, json.dumps(ids)], cwd=Path(__file__).resolve().parents[1])
        for name in ("Ann", "Bob")
    ]
    for worker in workers:
        assert worker.wait(600) == 0  # generous: starting two interpreters on a busy machine is slow
    # 2 reviewers × 15 rounds × claims: every save is in the log and the versions add up.
    saves = db.query_one("SELECT COUNT(*) FROM audit_log WHERE action = 'set verdict'")[0]
    assert saves == 2 * 15 * len(ids)
    versions = db.query("SELECT version FROM verdicts")
    assert sorted(v[0] for v in versions) == [30] * len(ids)


def test_cohens_kappa_matches_the_textbook_example():
    # 50 items: 20 yes/yes, 15 no/no, 5 yes/no, 10 no/yes → po 0.7, pe 0.5, kappa 0.4
    pairs = [("v", "v")] * 20 + [("d", "d")] * 15 + [("v", "d")] * 5 + [("d", "v")] * 10
    assert review.cohens_kappa(pairs) == pytest.approx(0.4)
    assert review.cohens_kappa([]) is None


def test_blind_double_review_agreement_and_adjudication(store, claim_ids):
    lead, cleo = Actor("lead"), Actor("Cleo")
    article = store.query_one("SELECT article_id FROM claims WHERE id = ?", (claim_ids[0],))[0]
    with pytest.raises(InputError, match="two different"):
        actions.assign(store, lead, article, "Ann", "Ann")
    actions.assign(store, lead, article, "Ann", "Bob")
    with pytest.raises(InputError, match="not in blind double review for you"):
        actions.submit_blind(store, Actor("Eve"), claim_ids[1], "verified")
    assert actions.submit_blind(store, ANN, claim_ids[1], "verified").outcome == BlindOutcome.WAITING
    assert store.query_one("SELECT 1 FROM verdicts WHERE claim_id = ?", (claim_ids[1],)) is None
    # A final verdict would bypass the blind review: refused, single or bulk, and nothing is written.
    with pytest.raises(InputError, match="blind double review"):
        actions.set_verdict(store, ANN, claim_ids[1], "verified")
    with pytest.raises(InputError, match="blind double review"):
        actions.bulk_verdict(store, lead, claim_ids, "verified")
    assert store.query_one("SELECT COUNT(*) FROM verdicts")[0] == 0
    assert actions.submit_blind(store, BOB, claim_ids[1], "verified").outcome == BlindOutcome.AGREED
    assert store.query_one("SELECT reviewer FROM verdicts WHERE claim_id = ?", (claim_ids[1],))[0] == "Ann & Bob"
    actions.submit_blind(store, ANN, claim_ids[2], "verified")
    with pytest.raises(InputError, match="1 of 2"):  # adjudication waits for both blind verdicts
        actions.adjudicate(store, cleo, claim_ids[2], "disputed", "too early")
    outcome = actions.submit_blind(store, BOB, claim_ids[2], "disputed", "ministry said 40").outcome
    assert outcome == BlindOutcome.DISAGREEMENT
    assert [q["claim_id"] for q in review.adjudication_queue(store)] == [claim_ids[2]]
    with pytest.raises(PermissionDenied, match="adjudicator"):
        actions.adjudicate(store, BOB, claim_ids[2], "disputed", "settled")
    saved = actions.adjudicate(store, cleo, claim_ids[2], "disputed", "ministry figure is 40")
    assert (saved.verdict, saved.version) == (Verdict.DISPUTED, 1)
    assert review.adjudication_queue(store) == []
    pairs, kappa = review.agreement(store, article)
    assert pairs == 2 and kappa == 0.0  # one agreement, one disagreement on 2 labels: po 0.5, pe 0.5


def test_bulk_verdict_is_one_event_and_one_undo_reverts_it(store, claim_ids):
    with pytest.raises(InputError, match="rationale"):
        actions.bulk_verdict(store, ANN, claim_ids, "unsupported")
    saved = actions.bulk_verdict(store, ANN, claim_ids, "unsupported", "no passage above threshold")
    assert saved.claim_ids == claim_ids
    assert store.query_one("SELECT COUNT(*) FROM verdicts WHERE verdict = 'unsupported'")[0] == len(claim_ids)
    events = store.query("SELECT id FROM audit_log WHERE action = ?", (str(AuditAction.BULK_VERDICT),))
    assert [e["id"] for e in events] == [saved.audit_id]
    assert all(review.history(store, c)[0].id == saved.audit_id for c in claim_ids)
    actions.undo(store, ANN, saved.audit_id)
    assert store.query_one("SELECT COUNT(*) FROM verdicts")[0] == 0


@pytest.mark.model
def test_same_claim_across_articles_is_grouped_and_one_verdict_serves_all(workbench):
    def ingest(text: str) -> actions.ArticleSaved:
        return actions.ingest_article(workbench.store, ANN, parse_text(text), encoder=workbench.encoder)

    first = ingest("Minsk report\n\nIn total, 32 people were detained across Belarus on Saturday.")
    second = ingest(
        "Another outlet\n\nWeather was fine. In total 32 people were detained across Belarus on Saturday, police said."
    )
    original = article_claims(workbench.store, first.article_id)[1]
    copies = appearances(workbench.store, original["id"])
    assert [(c["article_id"], c["text"]) for c in copies] == [
        (second.article_id, "In total 32 people were detained across Belarus on Saturday, police said.")
    ]
    assert "Weather" not in str(copies)
    assert second.grouped == 1
    actions.set_verdict(workbench.store, ANN, original["id"], "disputed", "ministry said 30")
    assert actions.apply_to_appearances(workbench.store, ANN, original["id"]).copied_to == [copies[0]["id"]]
    copied = workbench.store.query_one("SELECT verdict, rationale FROM verdicts WHERE claim_id = ?", (copies[0]["id"],))
    assert tuple(copied) == ("disputed", f"same claim as #{original['id']}: ministry said 30")

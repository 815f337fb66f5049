import json
import multiprocessing

import pytest

from checks import review
from checks.articles import appearances, article_claims, save_article
from checks.corpus import add_documents
from checks.ingest import ArticleDraft, parse_text
from checks.store import Store

ARTICLE = (
    "Minsk protest report\n\nPolice detained 32 people in Minsk on Saturday. "
    "The ministry said 42 sites were recorded.\n\nsource: express.co.uk"
)


@pytest.fixture
def claim_ids(store):
    result = save_article(store, parse_text(ARTICLE))
    return [c["id"] for c in article_claims(store, result.article_id)]


def test_rationale_required_for_disputed_and_unsupported(store, claim_ids):
    with pytest.raises(review.ReviewError, match="rationale"):
        review.set_verdict(store, claim_ids[1], "disputed", "Ann")
    with pytest.raises(review.ReviewError, match="one of"):
        review.set_verdict(store, claim_ids[1], "true", "Ann")
    assert review.set_verdict(store, claim_ids[1], "unsupported", "Ann", "no passage above threshold") == 1


def test_every_change_is_logged_and_undoable(store, claim_ids):
    claim = claim_ids[1]
    review.set_verdict(store, claim, "verified", "Ann")
    review.set_verdict(store, claim, "disputed", "Bob", "contradicted by ministry figures")
    entries = review.history(store, claim)
    assert [e["new"]["verdict"] for e in entries] == ["disputed", "verified"]
    assert entries[0]["old"]["verdict"] == "verified" and entries[0]["reviewer"] == "Bob"
    review.undo(store, entries[0]["id"], "Ann")
    row = store.query_one("SELECT verdict, reviewer FROM verdicts WHERE claim_id = ?", (claim,))
    assert (row["verdict"], row["reviewer"]) == ("verified", "Ann")
    with pytest.raises(review.ReviewError, match="already undone"):
        review.undo(store, entries[0]["id"], "Ann")
    review.undo(store, entries[1]["id"], "Ann")
    assert store.query_one("SELECT 1 FROM verdicts WHERE claim_id = ?", (claim,)) is None
    assert store.query_one("SELECT COUNT(*) FROM audit_log WHERE action = 'undo'")[0] == 2


def test_stale_save_raises_conflict_instead_of_overwriting(store, claim_ids):
    claim = claim_ids[1]
    review.set_verdict(store, claim, "verified", "Ann", expected_version=0)
    with pytest.raises(review.ConflictError, match="Ann"):
        review.set_verdict(store, claim, "disputed", "Bob", "other figures", expected_version=0)
    assert store.query_one("SELECT verdict FROM verdicts WHERE claim_id = ?", (claim,))[0] == "verified"


def test_marked_passages_become_cited_evidence(store, claim_ids):
    add_documents(
        store,
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
    review.mark_passage(store, claim_ids[1], passage, "supports", "Ann")
    review.set_verdict(store, claim_ids[1], "verified", "Ann")
    evidence = json.loads(store.query_one("SELECT evidence_snapshot FROM verdicts")[0])
    assert evidence[0]["url"] == "https://apnews.com/x" and evidence[0]["mark"] == "supports"
    review.mark_passage(store, claim_ids[1], passage, None, "Ann")
    assert review.passage_marks(store, claim_ids[1]) == {}


def _save_many(path: str, reviewer: str, claim_ids: list[int]) -> None:
    db = Store(path)
    for round_number in range(15):
        for claim in claim_ids:
            review.set_verdict(db, claim, "verified" if round_number % 2 else "unsupported", reviewer, f"round {round_number}")
    db.close()


def test_two_processes_saving_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "shared.db")
    db = Store(path)
    result = save_article(db, parse_text(ARTICLE))
    ids = [c["id"] for c in article_claims(db, result.article_id)]
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_save_many, args=(path, name, ids)) for name in ("Ann", "Bob")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
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
    article = store.query_one("SELECT article_id FROM claims WHERE id = ?", (claim_ids[0],))[0]
    with pytest.raises(review.ReviewError, match="two different"):
        review.assign(store, article, "Ann", "lead", second_reviewer="Ann", double=True)
    review.assign(store, article, "Ann", "lead", second_reviewer="Bob", double=True)
    with pytest.raises(review.ReviewError, match="not in blind double review for you"):
        review.submit_independent(store, claim_ids[1], "Eve", "verified")
    assert review.submit_independent(store, claim_ids[1], "Ann", "verified") == "waiting"
    assert store.query_one("SELECT 1 FROM verdicts WHERE claim_id = ?", (claim_ids[1],)) is None
    assert review.submit_independent(store, claim_ids[1], "Bob", "verified") == "agreed"
    assert store.query_one("SELECT reviewer FROM verdicts WHERE claim_id = ?", (claim_ids[1],))[0] == "Ann & Bob"
    review.submit_independent(store, claim_ids[2], "Ann", "verified")
    assert review.submit_independent(store, claim_ids[2], "Bob", "disputed", "ministry said 40") == "disagreement"
    assert [q["claim_id"] for q in review.adjudication_queue(store)] == [claim_ids[2]]
    with pytest.raises(review.ReviewError, match="adjudicator"):
        review.adjudicate(store, claim_ids[2], "disputed", "Bob", "settled")
    review.adjudicate(store, claim_ids[2], "disputed", "Cleo", "ministry figure is 40")
    assert review.adjudication_queue(store) == []
    pairs, kappa = review.agreement(store, article)
    assert pairs == 2 and kappa == 0.0  # one agreement, one disagreement on 2 labels: po 0.5, pe 0.5


@pytest.mark.model
def test_same_claim_across_articles_is_grouped_and_one_verdict_serves_all(workbench):
    first = workbench.ingest(parse_text("Minsk report\n\nIn total, 32 people were detained across Belarus on Saturday."))
    second = workbench.ingest(
        parse_text("Another outlet\n\nWeather was fine. In total 32 people were detained across Belarus on Saturday, "
                   "police said.")
    )
    original = article_claims(workbench.store, first.article_id)[1]
    copies = appearances(workbench.store, original["id"])
    assert [(c["article_id"], c["text"]) for c in copies] == [
        (second.article_id, "In total 32 people were detained across Belarus on Saturday, police said.")
    ]
    assert "Weather" not in str(copies)
    review.set_verdict(workbench.store, original["id"], "disputed", "Ann", "ministry said 30")
    assert review.apply_to_appearances(workbench.store, original["id"], "Ann") == 1
    copied = workbench.store.query_one("SELECT verdict, rationale FROM verdicts WHERE claim_id = ?", (copies[0]["id"],))
    assert tuple(copied) == ("disputed", f"same claim as #{original['id']}: ministry said 30")

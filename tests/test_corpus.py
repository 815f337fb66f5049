"""The evidence corpus as reviewers manage it: passages pasted beside a claim, the document listing
and its search, soft delete (gone from the index and candidates, still readable in verdicts that
cite it), and demo data that is marked everywhere, removable, and seeded only into a new database."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from checks import actions, corpus, export
from checks.actions import Actor
from checks.cli import main
from checks.config import DEMO_EVIDENCE
from checks.errors import InputError, NotFoundError, PermissionDenied
from checks.ingest import ArticleDraft, parse_text
from checks.store import MIGRATIONS, Store
from checks.vocab import AuditAction, Role

ANN, RITA = Actor("Ann"), Actor("Rita", Role.REVIEWER)
ARTICLE = "Harbour report\n\nThe new harbour crane in Tallinn lifted 85 tonnes on its first day.\n\nsource: example.com"
PASSAGE = "Port officials said the Tallinn harbour crane lifted 85 tonnes during its first day of work."


def _claim(store: Store) -> int:
    saved = actions.ingest_article(store, ANN, parse_text(ARTICLE))
    return int(store.query_one("SELECT id FROM claims WHERE article_id = ? AND text LIKE '%85 tonnes%'", (saved.article_id,))[0])


def _document_of(store: Store, passage_id: int) -> int:
    return int(store.query_one("SELECT document_id FROM passages WHERE id = ?", (passage_id,))[0])


def test_pasted_passage_reads_a_url_or_a_domain():
    from_url = actions.pasted_passage(PASSAGE, "https://www.bbc.co.uk/news/world-1", "2024-03-01")
    assert (from_url.url, from_url.domain, from_url.published, from_url.origin) == (
        "https://www.bbc.co.uk/news/world-1", "bbc.co.uk", "2024-03-01", "pasted",
    )  # fmt: skip
    bare = actions.pasted_passage(PASSAGE, "err.ee")
    assert (bare.url, bare.domain, bare.title) == (None, "err.ee", "Pasted from err.ee")
    assert actions.pasted_passage(PASSAGE).domain is None
    with pytest.raises(InputError, match="neither a URL nor a domain"):
        actions.pasted_passage(PASSAGE, "not a source")
    assert actions.pasted_passage(PASSAGE, published="2024-03").published == "2024-03"
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        actions.pasted_passage(PASSAGE, published="last Tuesday")
    with pytest.raises(InputError, match="Paste the passage"):
        actions.pasted_passage("   ")


def test_corpus_listing_searches_title_and_text_and_names_the_origin(store):
    actions.import_evidence(store, ANN, [ArticleDraft("Crane record", PASSAGE, domain="err.ee")], "crane.txt")
    actions.import_evidence(store, ANN, [actions.pasted_passage("Rain fell on 3 May in Tartu.", "ilm.ee")], "pasted")
    assert [r["title"] for r in corpus.list_documents(store, "crane")] == ["Crane record"]
    assert [r["title"] for r in corpus.list_documents(store, "TARTU")] == ["Pasted from ilm.ee"]
    assert corpus.list_documents(store, "100%") == []  # LIKE wildcards in the search are literal
    listed = corpus.list_documents(store)
    assert [(r["origin"], r["passages"], r["is_demo"]) for r in listed] == [("pasted", 1, False), ("crane.txt", 1, False)]


def test_delete_is_audited_editor_only_and_reimport_restores(store):
    actions.import_evidence(store, ANN, [ArticleDraft("Crane record", PASSAGE, domain="err.ee")], "crane.txt")
    document = corpus.list_documents(store)[0]["id"]
    with pytest.raises(PermissionDenied):
        actions.delete_document(store, RITA, document)
    deleted = actions.delete_document(store, ANN, document)
    assert (deleted.documents, deleted.passages) == (1, 1)
    assert corpus.corpus_size(store) == (0, 0) and corpus.list_documents(store) == []
    event = store.query_one("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1")
    assert (event["action"], event["reviewer"], event["entity_id"]) == (AuditAction.DELETE_DOCUMENT, "Ann", document)
    with pytest.raises(NotFoundError, match="already deleted"):
        actions.delete_document(store, ANN, document)
    again = actions.import_evidence(store, ANN, [ArticleDraft("Crane record", PASSAGE, domain="err.ee")], "crane.txt")
    assert again.documents == 1 and corpus.corpus_size(store) == (1, 1)


@pytest.mark.model
def test_deleted_document_leaves_candidates_but_not_the_verdicts_citing_it(workbench):
    store = workbench.store
    claim = _claim(store)
    actions.import_evidence(store, ANN, [actions.pasted_passage(PASSAGE, "https://news.err.ee/crane")], "pasted")
    cited = workbench.candidates(claim)[0]
    assert cited.text == PASSAGE and not cited.demo
    actions.mark_passage(store, ANN, claim, cited.passage_id, "supports")
    actions.set_verdict(store, ANN, claim, "verified", "port officials")
    actions.delete_document(store, ANN, _document_of(store, cited.passage_id))
    after = workbench.candidates(claim)  # the corpus key changed: the claim is re-ranked
    assert after and cited.passage_id not in {c.passage_id for c in after}
    assert cited.passage_id not in set(workbench.index().passage_ids.tolist())
    record = export.verdict_records(store)[0]
    assert [(e["passage_id"], e["text"], e["url"]) for e in record["evidence"]] == [
        (cited.passage_id, PASSAGE, "https://news.err.ee/crane")
    ]
    row = next(csv.DictReader(io.StringIO(export.to_csv([record]).decode("utf-8-sig"))))
    assert PASSAGE in row["cited_evidence"] and row["cited_evidence_demo"] == "no"


def test_demo_data_is_marked_removable_and_never_comes_back(store):
    if not DEMO_EVIDENCE.exists():
        pytest.skip("demo evidence not shipped")
    assert actions.seed_demo_data(store)
    listed = corpus.list_documents(store)
    assert listed and all(r["is_demo"] and r["origin"] == DEMO_EVIDENCE.name for r in listed)
    with pytest.raises(PermissionDenied):
        actions.remove_demo_data(store, RITA)
    actions.import_evidence(store, ANN, [ArticleDraft("Crane record", PASSAGE, domain="err.ee")], "crane.txt")
    removed = actions.remove_demo_data(store, ANN)
    assert removed.documents == len(listed)
    assert [r["title"] for r in corpus.list_documents(store)] == ["Crane record"]  # the user's own stays
    assert store.query_one("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")[0] == AuditAction.REMOVE_DEMO_DATA
    assert not actions.seed_demo_data(store)
    assert actions.remove_demo_data(store, ANN).documents == 0


@pytest.mark.parametrize("work", ["article", "evidence", "removed demo"])
def test_demo_data_is_seeded_only_into_a_new_database(store, work):
    actions.add_account(store, Actor("setup", Role.ADMIN), "Cleo", Role.EDITOR, password="a long enough password")
    if work == "article":
        actions.ingest_article(store, ANN, parse_text(ARTICLE))
    elif work == "evidence":
        actions.import_evidence(store, ANN, [ArticleDraft("Crane record", PASSAGE)], "crane.txt")
    else:
        actions.seed_demo_data(store)
        actions.remove_demo_data(store, ANN)
    documents = corpus.corpus_size(store)[0]
    assert not actions.seed_demo_data(store)
    assert corpus.corpus_size(store)[0] == documents
    assert not any(r["is_demo"] for r in corpus.list_documents(store))


def test_a_new_database_with_only_accounts_gets_the_demo_corpus(store):
    if not DEMO_EVIDENCE.exists():
        pytest.skip("demo evidence not shipped")
    actions.add_account(store, Actor("setup", Role.ADMIN), "Cleo", Role.EDITOR, password="a long enough password")
    assert actions.seed_demo_data(store)


def test_exports_mark_cited_demo_evidence(store):
    if not DEMO_EVIDENCE.exists():
        pytest.skip("demo evidence not shipped")
    actions.seed_demo_data(store)
    claim = _claim(store)
    actions.import_evidence(store, ANN, [ArticleDraft("Crane record", PASSAGE, domain="err.ee")], "crane.txt")
    demo = store.query_one("SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.is_demo = 1")[0]
    own = store.query_one("SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.is_demo = 0")[0]
    actions.mark_passage(store, ANN, claim, demo, "supports")
    actions.mark_passage(store, ANN, claim, own, "supports")
    actions.set_verdict(store, ANN, claim, "verified")
    records = export.verdict_records(store)
    assert [(e["passage_id"], e["demo"]) for e in records[0]["evidence"]] == sorted([(demo, True), (own, False)])
    row = next(csv.DictReader(io.StringIO(export.to_csv(records).decode("utf-8-sig"))))
    assert row["cited_evidence_demo"] == " | ".join("demo" if e["demo"] else "no" for e in records[0]["evidence"])
    assert [e["demo"] for e in json.loads(export.to_json(records))[0]["evidence"]] == [e["demo"] for e in records[0]["evidence"]]
    citations = json.loads(export.to_claimreview(records))[0]["citation"]
    assert [c.get("genre") for c in citations] == ["demo" if e["demo"] else None for e in records[0]["evidence"]]
    assert next(c for c in citations if c.get("genre") == "demo")["description"].startswith("Demo evidence")


def test_migration_marks_demo_documents_seeded_before_it(tmp_path):
    path = tmp_path / "old.db"
    old = Store(path, migrations=MIGRATIONS[:7])
    with old.transaction() as conn:
        for origin, at in ((DEMO_EVIDENCE.name, "2025-01-01T00:00:00+00:00"), (DEMO_EVIDENCE.name, "2025-02-01T00:00:00+00:00")):
            conn.execute(
                "INSERT INTO documents (title, body, content_hash, origin, created_at) VALUES (?,?,?,?,?)",
                ("t", f"body {at}", at, origin, at),
            )
        conn.execute(
            "INSERT INTO audit_log (at, reviewer, action, entity) VALUES (?,?,?,?)",
            ("2025-01-01T00:00:00+00:00", "shipped data", "import evidence", "documents"),
        )
    old.close()
    upgraded = Store(path)
    assert [tuple(r) for r in upgraded.query("SELECT created_at, is_demo, deleted_at FROM documents ORDER BY id")] == [
        ("2025-01-01T00:00:00+00:00", 1, None),
        ("2025-02-01T00:00:00+00:00", 0, None),  # a user's later import of a file of the same name
    ]
    upgraded.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_cli_lists_deletes_and_removes_demo(data_dir, capsys):
    store = Store(data_dir / "workbench.db")
    actions.import_evidence(store, ANN, [ArticleDraft("Crane record", PASSAGE, domain="err.ee")], "crane.txt")
    store.close()
    assert main(["--data-dir", str(data_dir), "corpus", "list", "--search", "crane"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.endswith("Crane record") and "crane.txt" in line and "err.ee" in line
    document = int(line.split()[0])
    assert main(["--data-dir", str(data_dir), "corpus", "delete", str(document), "--as", "Ann"]) == 0
    assert capsys.readouterr().out.strip() == "1 documents (1 passages) deleted; verdicts citing them keep the cited text."
    assert main(["--data-dir", str(data_dir), "corpus", "delete", str(document), "--as", "Ann"]) == 1
    assert main(["--data-dir", str(data_dir), "corpus", "remove-demo", "--as", "Rita"]) == 1
    assert "needs the editor role" in capsys.readouterr().err
    assert main(["--data-dir", str(data_dir), "corpus", "remove-demo", "--as", "Ann"]) == 0

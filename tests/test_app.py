"""AppTest flows of each page against a fresh database and the real model."""

import html
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from checks import actions
from checks.actions import Actor
from checks.store import Store
from checks.vocab import Role

APP = str(Path(__file__).resolve().parents[1] / "workbench.py")


# Accounts every test database gets (the sign-in form itself is tested in test_signin.py).
ACCOUNTS = {"Ann": Role.EDITOR, "Bob": Role.EDITOR, "Cleo": Role.EDITOR, "Lead": Role.EDITOR, "Rita": Role.REVIEWER}


def shown(markdown: str) -> str:
    """The text a reader sees in Markdown that ``safe_md`` escaped (entities decoded, joiners dropped)."""
    return html.unescape(markdown).replace("\u2060", "").replace("  \n", "\n")


def sign_in_as(at: AppTest, name: str) -> None:
    """Act as this account from the next run on, as a completed sign-in would."""
    at.session_state["actor"] = Actor(name, ACCOUNTS.get(name, Role.EDITOR))
    at.session_state["signed_in_at"] = time.time()


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    from ui.common import clear_caches

    clear_caches()  # one workbench per test database
    store = Store(tmp_path / "workbench.db")
    admin = Actor("setup", Role.ADMIN)
    for name, role in ACCOUNTS.items():
        actions.add_account(store, admin, name, role, password="a long enough password")
    store.close()
    at = AppTest.from_file(APP, default_timeout=180)
    sign_in_as(at, "Ann")
    at.run()
    assert not at.exception
    return at


def _shown_claim(app: AppTest) -> str:
    """Id of the claim the review screen shows (its widgets are keyed by it)."""
    return next(t for t in app.text_area if t.key.startswith("rationale_")).key.split("_")[1]


def _load_demo(at: AppTest, reviewer: str = "Ann") -> None:
    sign_in_as(at, reviewer)
    at.run()
    at.button(key="load_demo").click().run()
    assert not at.exception


def test_articles_page_loads_demo_and_rejects_empty_paste(app):
    app.button(key="add_pasted").click().run()
    assert "no text" in app.error[0].value
    _load_demo(app)
    assert app.success[0].value.startswith("Added '")
    app.button(key="load_demo").click().run()
    assert "already loaded" in app.info[0].value
    assert app.dataframe[0].value["claims"].iloc[0] > 10


@pytest.mark.model
def test_review_flow_persists_verdict(app, tmp_path):
    _load_demo(app)
    app.button(key="open_article").click().run()
    assert not app.exception
    assert app.title[0].value == "Review"
    assert any("fused #1" in c.value for c in app.caption)
    claim_id = _shown_claim(app)
    app.button(key=f"verdict_disputed_{claim_id}").click().run()
    assert "needs a rationale" in app.error[0].value
    app.text_area(key=f"rationale_{claim_id}").input("ministry counted a different number").run()
    app.button(key=f"verdict_disputed_{claim_id}").click().run()
    assert app.success[0].value == "Saved: disputed."
    row = Store(tmp_path / "workbench.db").query_one("SELECT verdict, reviewer, rationale FROM verdicts")
    assert tuple(row) == ("disputed", "Ann", "ministry counted a different number")
    app.button(key="next_unreviewed").click().run()
    assert not app.exception
    app.switch_page("ui/articles.py").run()
    assert not app.exception and "Overview" in [h.value for h in app.subheader]
    app.switch_page("ui/export.py").run()
    assert not app.exception and "1 verdict matches." in [m.value for m in app.markdown]


def test_sources_page_shows_rating_with_provenance(app):
    app.switch_page("ui/sources.py").run()
    app.text_input(key="source_query").input("https://www.express.co.uk/news/world").run()
    assert ":red-badge[express.co.uk · low 0.37]" in [m.value for m in app.markdown]
    captions = [shown(c.value) for c in app.caption]
    assert any(c.startswith("Lin et al. 2023 aggregate (pc1): 0.37 (low;") for c in captions)
    assert "Matched key: express.co.uk (host) for www.express.co.uk/news/world." in captions
    assert any(c.startswith("Data of 2023-09, version hauselin/domain-quality-ratings@") and "pgad286" in c for c in captions)
    assert any(c.startswith("Raters behind it: Ad Fontes Media 0.53") for c in captions)
    app.text_input(key="source_query").input("unknown-outlet.co.uk").run()
    assert ":gray-badge[unknown-outlet.co.uk · unrated]" in [m.value for m in app.markdown]


def test_sources_page_shows_a_listed_site_with_its_score_and_the_loaded_sets(app):
    app.switch_page("ui/sources.py").run()
    app.text_input(key="source_query").input("https://dailysceptic.org/2024/story").run()
    assert not app.exception
    assert ":orange-badge[dailysceptic.org · medium 0.55 · listed unreliable]" in [m.value for m in app.markdown]
    assert any(shown(c.value).startswith("Listed by Iffy.news") and "disagree" in c.value for c in app.caption)
    assert any(shown(m.value).startswith("Track record of dailysceptic.org here: no verdicts yet") for m in app.markdown)
    loaded = app.dataframe[0].value  # the first table: the rating sets loaded
    assert sorted(loaded["name"]) == ["iffy", "lin2023"] and loaded["keys"].sum() > 12000


def test_corpus_page_builds_index_with_progress(app):
    app.switch_page("ui/corpus.py").run()
    assert "70" in app.metric[0].value
    app.button(key="build_index").click().run()
    assert not app.exception
    assert app.success[0].value.startswith("Index ready: 70 passages")


def test_export_page_offers_downloads(app):
    app.switch_page("ui/export.py").run()
    assert not app.exception
    assert "0 verdicts match." in [m.value for m in app.markdown]


def _open_review(app: AppTest) -> None:
    _load_demo(app)
    app.button(key="open_article").click().run()
    assert not app.exception


@pytest.mark.model
def test_bulk_verdict_and_its_undo(app, tmp_path):
    _open_review(app)
    options = app.multiselect(key="bulk_claims")
    options.select(options.options[0]).select(options.options[1]).run()
    app.selectbox(key="bulk_verdict").select("unsupported").run()
    app.button(key="bulk_apply").click().run()
    assert "needs a rationale" in app.error[0].value
    app.text_input(key="bulk_note").input("no passage above threshold").run()
    app.button(key="bulk_apply").click().run()
    assert app.success[0].value.rstrip(".") == "unsupported recorded for 2 claims"
    db = Store(tmp_path / "workbench.db")
    assert db.query_one("SELECT COUNT(*) FROM verdicts WHERE verdict = 'unsupported'")[0] == 2
    assert db.query_one("SELECT COUNT(*) FROM audit_log WHERE action = 'bulk verdict'")[0] == 1  # one event per batch
    app.button(key="bulk_undo").click().run()
    assert db.query_one("SELECT COUNT(*) FROM verdicts")[0] == 0


@pytest.mark.model
def test_blind_double_review_in_the_app(app, tmp_path):
    _load_demo(app, "Lead")
    app.text_input(key="assign_to").input("Ann").run()
    app.text_input(key="assign_second").input("Bob").run()
    app.button(key="assign_button").click().run()
    assert app.success[0].value == "Assignment saved."
    for name, verdict in (("Ann", "verified"), ("Bob", "disputed")):
        sign_in_as(app, name)
        app.switch_page("ui/review.py").run()
        claim = _shown_claim(app)
        assert any("Blind double review with" in i.value for i in app.info)
        app.text_area(key=f"rationale_{claim}").input(f"{name} checked").run()
        app.button(key=f"blind_{verdict}_{claim}").click().run()
    assert "differ" in app.warning[0].value
    sign_in_as(app, "Cleo")
    app.run()
    app.button(key=f"adjudicate_disputed_{claim}").click().run()
    assert app.success[0].value == "Adjudicated: disputed."
    row = Store(tmp_path / "workbench.db").query_one("SELECT verdict, reviewer FROM verdicts WHERE claim_id = ?", (claim,))
    assert tuple(row) == ("disputed", "Cleo")


@pytest.mark.model
def test_claim_editing_is_stored(app, tmp_path):
    _open_review(app)
    claim = _shown_claim(app)
    app.text_area(key=f"edit_text_{claim}").input("A reworded headline claim about Minsk.").run()
    app.button(key=f"save_text_{claim}").click().run()
    assert app.success[0].value == "Claims updated."
    db = Store(tmp_path / "workbench.db")
    assert db.query_one("SELECT text FROM claims WHERE id = ?", (claim,))[0] == "A reworded headline claim about Minsk."
    app.button(key=f"drop_{claim}").click().run()
    assert db.query_one("SELECT dropped FROM claims WHERE id = ?", (claim,))[0] == 1


@pytest.mark.model
def test_earlier_fact_check_is_shown_first_and_can_be_reused(app, tmp_path):
    from checks.vocab import AuditAction

    _load_demo(app)
    db = Store(tmp_path / "workbench.db")
    headline = db.query_one("SELECT text FROM claims WHERE is_headline = 1")[0]
    table = f'claim,verdict,url,date,publisher\n"{headline}",False,https://factcheck.example.org/1,2020-09-01,Example Checkers\n'
    assert actions.import_factchecks(db, actions.Actor("Ann"), "earlier.csv", table.encode()).imported == 1
    app.button(key="open_article").click().run()
    assert "Earlier fact-checks" in [s.value for s in app.subheader]
    claim = _shown_claim(app)
    reuse = next(b for b in app.button if b.key and b.key.startswith(f"reuse_{claim}_"))
    assert reuse.label == "Reuse this verdict (disputed)"
    reuse.click().run()
    assert app.success[0].value == "Earlier verdict reused (logged as such)."
    assert db.query_one("SELECT verdict FROM verdicts WHERE claim_id = ?", (claim,))[0] == "disputed"
    latest = db.query_one("SELECT action FROM audit_log WHERE entity = 'verdicts' ORDER BY id DESC")[0]
    assert latest == AuditAction.REUSE_FACTCHECK


@pytest.mark.model
def test_a_listed_reason_is_enough_for_unsupported(app, tmp_path):
    _open_review(app)
    claim = _shown_claim(app)
    app.selectbox(key=f"rationale_choice_{claim}").select("no passage above threshold").run()
    app.button(key=f"verdict_unsupported_{claim}").click().run()
    assert app.success[0].value == "Saved: unsupported."
    row = Store(tmp_path / "workbench.db").query_one("SELECT verdict, rationale FROM verdicts WHERE claim_id = ?", (claim,))
    assert tuple(row) == ("unsupported", "no passage above threshold")


def test_review_page_explains_a_missing_model(app, monkeypatch):
    monkeypatch.setenv("WORKBENCH_MODEL", "/nonexistent/model-folder")
    from ui.common import clear_caches

    clear_caches()
    app.run()
    app.text_area(key="paste_text").input("Minsk report\n\nPolice detained 32 people.").run()
    app.button(key="add_pasted").click().run()
    assert not app.exception
    assert app.error[0].value.startswith("Not added:") and "WORKBENCH_MODEL" in app.error[0].value
    assert app.text_area(key="paste_text").value.startswith("Minsk report")  # the text is not lost
    app.switch_page("ui/review.py").run()
    assert not app.exception


@pytest.mark.model
def test_syndicated_copies_are_shown_as_one_piece_of_evidence(app):
    _open_review(app)
    for _ in range(9):  # demo claim 10: "Officials said 320 people were held …", whose evidence includes wire copies
        app.button(key="next_claim").click().run()
    grouped = [c.value for c in app.caption if c.value.startswith("Also carried by ")]
    assert grouped and all("not independent corroboration" in text for text in grouped)
    copied = {int(part.split(",")[0]) for text in grouped for part in text.split("(passage ")[1:]}
    shown = {int(key.rsplit("_", 1)[1]) for key in (c.key for c in app.get("segmented_control")) if key}
    assert copied and shown and not copied & shown  # a copy gets no card (and no mark buttons) of its own
    assert any("Number mismatch" in w.value for w in app.warning)  # the article's 320 vs the ministry's 32


def test_review_this_article_opens_the_article_just_added(app):
    _load_demo(app)
    text = "Second report from Minsk\n\nPolice detained 40 people on Sunday, the ministry said."
    app.text_area(key="paste_text").input(text).run()
    app.button(key="add_pasted").click().run()
    assert app.success[0].value.startswith("Added 'Second report from Minsk'")
    added = app.selectbox(key="open_article_choice").value
    assert added == 2  # the new article, not the demo article chosen before
    app.button(key="open_article").click().run()
    assert app.selectbox(key="review_article").value == added
    assert "Second report" in app.sidebar.selectbox(key="review_article").format_func(added)


def test_corpus_page_lists_searches_and_deletes(app):
    app.switch_page("ui/corpus.py").run()
    table = app.dataframe[0].value
    assert len(table) == 70 and set(table["origin"]) == {"demo"}
    app.text_input(key="corpus_search").input("Lukashenko").run()
    found = app.dataframe[0].value
    assert 0 < len(found) < 70
    doomed = int(found["id"].iloc[0])
    app.selectbox(key="delete_choice").select(doomed).run()
    app.button(key="delete_document").click().run()
    assert app.success[0].value == "1 documents (1 passages) deleted; verdicts citing them keep the cited text."
    assert doomed not in set(app.dataframe[0].value["id"])
    assert "69" in app.metric[0].value
    app.button(key="remove_demo").click().run()
    assert app.success[0].value.startswith("69 documents (69 passages) deleted;")
    assert "No documents match." in [c.value for c in app.caption]  # the search is still "Lukashenko"
    app.text_input(key="corpus_search").input("").run()
    assert "The corpus is empty." in [c.value for c in app.caption] and "0 / 0" in app.metric[0].value


@pytest.mark.model
def test_passage_added_on_the_review_screen_is_ranked_marked_and_cited(app, tmp_path):
    from checks import export

    _load_demo(app)
    app.button(key="open_article").click().run()
    claim_id = _shown_claim(app)
    assert any(m.value.startswith(":violet-badge[demo data]") for m in app.markdown)  # demo cards say so
    store = Store(tmp_path / "workbench.db")
    claim = store.query_one("SELECT text FROM claims WHERE id = ?", (claim_id,))["text"]
    passage = f"The interior ministry's own statement confirms it: {claim}"
    app.text_area(key=f"paste_text_{claim_id}").input(passage).run()
    app.text_input(key=f"paste_source_{claim_id}").input("https://www.reuters.com/world/europe/minsk-1").run()
    app.text_input(key=f"paste_date_{claim_id}").input("2020-08-10").run()
    app.button(key=f"add_pasted_{claim_id}").click().run()
    assert not app.exception
    assert app.success[0].value == "Passage added to the corpus and ranked for this claim."
    assert app.text_area(key=f"paste_text_{claim_id}").value == ""  # cleared for the next one
    added = store.query_one(
        "SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.origin = 'pasted'"
    )["id"]
    mark_key = f"mark_{claim_id}_{added}"
    assert mark_key in [c.key for c in app.get("segmented_control")]  # among the claim's candidates now
    next(c for c in app.get("segmented_control") if c.key == mark_key).set_value("supports").run()
    app.text_area(key=f"rationale_{claim_id}").input("the ministry's statement").run()
    app.button(key=f"verdict_verified_{claim_id}").click().run()
    assert app.success[0].value == "Saved: verified."
    cited = export.verdict_records(store)[0]["evidence"]
    assert [(e["passage_id"], e["text"], e["domain"], e["demo"]) for e in cited] == [(added, passage, "reuters.com", False)]
    store.close()


@pytest.mark.model
def test_page_fetched_on_the_review_screen_becomes_candidates(app, tmp_path, monkeypatch):
    import http.server
    import threading

    _load_demo(app)
    app.button(key="open_article").click().run()
    claim_id = _shown_claim(app)
    store = Store(tmp_path / "workbench.db")
    claim = store.query_one("SELECT text FROM claims WHERE id = ?", (claim_id,))["text"]
    page = (
        f"<html><head><title>Ministry statement</title></head><body><article><h1>Ministry statement</h1>"
        f"<p>{html.escape(claim)} The ministry repeated the figure on Monday.</p></article></body></html>"
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/statement":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("WORKBENCH_FETCH_ALLOW_HOSTS", "127.0.0.1")  # the test server only
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        app.text_input(key=f"paste_url_{claim_id}").input(f"{base}/gone").run()
        app.button(key=f"add_url_{claim_id}").click().run()
        assert "404" in app.error[0].value
        assert store.query_one("SELECT COUNT(*) FROM documents WHERE origin LIKE 'http%'")[0] == 0
        app.text_input(key=f"paste_url_{claim_id}").input(f"{base}/statement").run()
        app.button(key=f"add_url_{claim_id}").click().run()
    finally:
        server.shutdown()
    assert not app.exception
    assert app.success[0].value == "Page added to the corpus and ranked for this claim."
    added = {
        r["id"]
        for r in store.query(
            "SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id WHERE d.origin = ?", (f"{base}/statement",)
        )
    }
    shown = {int(c.key.rsplit("_", 1)[1]) for c in app.get("segmented_control") if c.key and c.key.startswith("mark_")}
    assert added and added & shown
    store.close()

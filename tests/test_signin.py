"""Sign-in, roles and blind review: who may do what is decided in the action layer, the app only
shows what a role may use, passwords are never stored in clear, and a pending blind review shows
neither reviewer the other's verdict, rationale or marks through any read path."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from checks import accounts, actions, review
from checks.actions import Actor
from checks.cli import main
from checks.errors import InputError, PermissionDenied
from checks.ingest import ArticleDraft, parse_text
from checks.store import Store
from checks.vocab import Role

APP = str(Path(__file__).resolve().parents[1] / "workbench.py")
ADMIN = Actor("root", Role.ADMIN)
PASSWORD = "correct horse battery"
ARTICLE = "Minsk report\n\nPolice detained 32 people in Minsk on Saturday. The ministry said 42 sites were recorded.\n"


# ------------------------------------------------------------------------------ accounts


def test_passwords_are_stored_only_as_argon2_hashes(tmp_path):
    store = Store(tmp_path / "w.db")
    created = actions.add_account(store, ADMIN, "Ann", Role.EDITOR, password=PASSWORD)
    reset = actions.reset_password(store, ADMIN, "Ann")
    actions.change_password(store, Actor("Ann", Role.EDITOR), reset.one_time_password, "another long password")
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("w.db*"))
    for secret in (PASSWORD, reset.one_time_password, "another long password"):
        assert secret.encode() not in raw
    store = Store(tmp_path / "w.db")
    assert accounts.password_hash(store, "Ann").startswith("$argon2id$")
    assert created.one_time_password is None
    assert not any("argon2" in (r["changes"] or "") + (r["new"] or "") for r in store.query("SELECT changes, new FROM audit_log"))


def test_sign_in_checks_the_password_logs_every_attempt_and_locks_after_repeated_failures(store):
    actions.add_account(store, ADMIN, "Ann", Role.REVIEWER, password=PASSWORD)
    assert actions.sign_in(store, "Ann", PASSWORD) == Actor("Ann", Role.REVIEWER)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(PermissionDenied, match="do not match"):
            actions.sign_in(store, "Ann", "wrong password")
    with pytest.raises(PermissionDenied, match="Too many failed sign-ins"):
        actions.sign_in(store, "Ann", PASSWORD)  # locked even with the right password
    logged = [r["action"] for r in store.query("SELECT action FROM audit_log WHERE entity = 'accounts' AND action LIKE 'sign%'")]
    assert logged == ["sign in"] + ["sign-in refused"] * (accounts.MAX_FAILURES + 1)
    with pytest.raises(PermissionDenied):
        actions.sign_in(store, "Nobody", PASSWORD)


def test_a_disabled_account_cannot_sign_in_or_act_from_the_cli(store):
    actions.add_account(store, ADMIN, "Ann", Role.EDITOR, password=PASSWORD)
    actions.disable_account(store, ADMIN, "Ann")
    with pytest.raises(PermissionDenied):
        actions.sign_in(store, "Ann", PASSWORD)
    with pytest.raises(PermissionDenied, match="disabled"):
        actions.account_actor(store, "Ann")
    actions.add_account(store, ADMIN, ADMIN.name, Role.ADMIN, password=PASSWORD)
    with pytest.raises(InputError, match="your own"):
        actions.disable_account(store, ADMIN, ADMIN.name)  # an admin cannot lock everyone out by mistake


def test_only_admins_manage_accounts(store):
    actions.add_account(store, ADMIN, "Ed", Role.EDITOR, password=PASSWORD)
    with pytest.raises(PermissionDenied, match="needs the admin role"):
        actions.add_account(store, Actor("Ed", Role.EDITOR), "Mallory", Role.ADMIN)
    with pytest.raises(PermissionDenied):
        actions.set_role(store, Actor("Ed", Role.EDITOR), "Ed", Role.ADMIN)


def test_the_first_admin_is_created_once(store):
    password = actions.ensure_first_admin(store)
    assert password and accounts.get_account(store, "admin").must_change_password
    assert actions.ensure_first_admin(store) is None
    assert actions.sign_in(store, "admin", password).role is Role.ADMIN


# ------------------------------------------------------------------------- the role matrix

MATRIX = {
    # action: the lowest role that may do it
    "set_verdict": Role.REVIEWER,
    "mark_passage": Role.REVIEWER,
    "submit_blind": Role.REVIEWER,
    "dismiss_factcheck": Role.REVIEWER,
    "undo": Role.REVIEWER,
    "ingest_article": Role.REVIEWER,
    "change_password": Role.REVIEWER,
    "clear_verdict": Role.REVIEWER,
    "adjudicate": Role.EDITOR,
    "bulk_verdict": Role.EDITOR,
    "apply_to_appearances": Role.EDITOR,
    "reuse_factcheck": Role.EDITOR,
    "edit_claim": Role.EDITOR,
    "split_claim": Role.EDITOR,
    "merge_claims": Role.EDITOR,
    "add_claim": Role.EDITOR,
    "drop_claim": Role.EDITOR,
    "restore_claim": Role.EDITOR,
    "assign": Role.EDITOR,
    "import_evidence": Role.EDITOR,
    "add_articles_to_corpus": Role.EDITOR,
    "import_factchecks": Role.EDITOR,
    "import_lin2023": Role.EDITOR,
    "import_unreliable_list": Role.EDITOR,
    "override_rating": Role.EDITOR,
    "import_verdicts": Role.EDITOR,
    "search_for_evidence": Role.EDITOR,
    "delete_document": Role.EDITOR,
    "remove_demo_data": Role.EDITOR,
    "add_account": Role.ADMIN,
    "set_role": Role.ADMIN,
    "reset_password": Role.ADMIN,
    "disable_account": Role.ADMIN,
    "enable_account": Role.ADMIN,
}


def test_the_role_matrix_is_what_the_registry_enforces():
    assert {name: spec.role for name, spec in actions.REGISTRY.items()} == MATRIX


@pytest.mark.parametrize("name", sorted(n for n, role in MATRIX.items() if role is not Role.REVIEWER))
def test_every_action_above_reviewer_is_refused_to_a_reviewer_before_anything_happens(store, name):
    spec = actions.REGISTRY[name]
    function = getattr(actions, name)
    # Arguments do not matter: the role check comes before any validation or write.
    with pytest.raises(PermissionDenied, match=f"needs the {spec.role} role"):
        function(store, Actor("Rita", Role.REVIEWER), *([1] * (function.__code__.co_argcount - 2)))
    assert store.query_one("SELECT COUNT(*) FROM audit_log")[0] == 0


# ----------------------------------------------------------------------- blind review leaks


@pytest.fixture
def blind(store):
    return _blind(store)


def _blind(store):
    """A claim in blind double review by Ann and Bob; Ann has marked a passage and decided."""
    saved = actions.ingest_article(store, ADMIN, parse_text(ARTICLE))
    actions.import_evidence(store, ADMIN, [ArticleDraft("Report", "Police held 32 people in Minsk.", domain="news.org")], "t")
    claim = int(store.query_one("SELECT id FROM claims WHERE article_id = ? AND position = 1", (saved.article_id,))[0])
    passage = int(store.query_one("SELECT MIN(id) FROM passages")[0])
    actions.assign(store, ADMIN, saved.article_id, "Ann", "Bob")
    ann, bob = Actor("Ann", Role.REVIEWER), Actor("Bob", Role.REVIEWER)
    actions.mark_passage(store, ann, claim, passage, "supports")
    actions.submit_blind(store, ann, claim, "disputed", "Ann's secret reasoning")
    return store, claim, passage, ann, bob


def test_blind_reviewers_do_not_see_each_other(blind):
    store, claim, passage, _, bob = blind
    assert review.passage_marks(store, claim, viewer="Bob") == {}
    assert review.passage_marks(store, claim, viewer="Ann") == {passage: "supports"}
    assert review.independent_verdicts(store, claim, viewer="Bob") == []
    assert all(event.actor != "Ann" for event in review.history(store, claim, viewer="Bob"))
    assert store.query_one("SELECT COUNT(*) FROM evidence_marks")[0] == 0  # nothing shared yet
    actions.submit_blind(store, bob, claim, "verified")
    assert review.adjudication_queue(store, viewer="Bob") == []  # a pair member never sees the split
    assert review.adjudication_queue(store, viewer="Eve")[0]["claim_id"] == claim
    assert review.independent_verdicts(store, claim, viewer="Bob") == [
        r for r in review.independent_verdicts(store, claim) if r["reviewer"] == "Bob"
    ]


def test_no_final_verdict_or_shared_mark_bypasses_the_blind_review(blind):
    store, claim, passage, *_ = blind
    with pytest.raises(PermissionDenied, match="only its two reviewers"):
        actions.mark_passage(store, Actor("Eve"), claim, passage, "contradicts")
    with pytest.raises(InputError, match="blind double review"):
        actions.set_verdict(store, Actor("Eve"), claim, "verified")
    with pytest.raises(InputError, match="blind double review"):
        actions.bulk_verdict(store, Actor("Eve"), [claim], "verified")


def test_settling_the_review_shares_the_marks_as_cited_evidence(blind):
    store, claim, passage, _, bob = blind
    actions.submit_blind(store, bob, claim, "verified")
    actions.adjudicate(store, Actor("Eve", Role.EDITOR), claim, "disputed", "ministry counted 42")
    assert review.passage_marks(store, claim, viewer="Bob") == {passage: "supports"}  # settled: shared
    cited = store.query_one("SELECT evidence_snapshot FROM verdicts WHERE claim_id = ?", (claim,))[0]
    assert f'"passage_id": {passage}' in cited


def test_blind_leak_through_the_cli_history(tmp_path, capsys):
    folder = tmp_path / "data"
    store, claim, *_ = _blind(Store(folder / "workbench.db"))
    for name, role in (("Ann", Role.REVIEWER), ("Bob", Role.REVIEWER), ("root", Role.ADMIN)):
        actions.add_account(store, ADMIN, name, role, password=PASSWORD)
    assert main(["--data-dir", str(folder), "--as", "Bob", "history", str(claim)]) == 0
    shown = capsys.readouterr().out
    assert "Ann" not in shown
    assert main(["--data-dir", str(folder), "--as", "root", "history", str(claim)]) == 0
    assert "Ann: blind verdict" in capsys.readouterr().out


def test_reuse_is_refused_when_numbers_or_names_disagree(store):
    saved = actions.ingest_article(store, ADMIN, parse_text("Minsk report\n\nPolice held 320 people in Minsk on Saturday.\n"))
    claim = int(store.query_one("SELECT id FROM claims WHERE article_id = ? AND position = 1", (saved.article_id,))[0])
    actions.import_factchecks(store, ADMIN, "x.csv", b"claim,verdict\nPolice detained 32 people in Minsk on Saturday,false\n")
    factcheck = int(store.query_one("SELECT id FROM factchecks WHERE collection = 'x'")[0])
    with pytest.raises(InputError, match="numbers differ: 320 vs 32"):
        actions.reuse_factcheck(store, ADMIN, claim, factcheck)


# ----------------------------------------------------------------------------------- the app


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    from ui.common import clear_caches

    clear_caches()
    store = Store(tmp_path / "workbench.db")
    actions.add_account(store, ADMIN, "Ann", Role.EDITOR, password=PASSWORD)
    actions.add_account(store, ADMIN, "Rita", Role.REVIEWER, password=PASSWORD)
    store.close()
    return AppTest.from_file(APP, default_timeout=180)


def _sign_in(at: AppTest, name: str, password: str) -> None:
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    at.button[0].click().run()  # the form's submit button


def test_the_app_asks_for_sign_in_and_accepts_only_the_right_password(app):
    app.run()
    assert [h.value for h in app.subheader] == ["Sign in"] and not app.sidebar.button
    _sign_in(app, "Ann", "wrong password")
    assert "do not match" in app.error[0].value
    _sign_in(app, "Ann", PASSWORD)
    assert not app.exception
    assert app.title[0].value == "Articles"
    assert any("Signed in as **Ann** (editor)" in m.value for m in app.sidebar.markdown)
    assert app.session_state["signin_password"] == ""  # the password is not kept in the session
    app.sidebar.button(key="sign_out").click().run()
    assert [h.value for h in app.subheader] == ["Sign in"]


def test_a_one_time_password_must_be_changed_first(app, tmp_path):
    store = Store(tmp_path / "workbench.db")
    one_time = actions.reset_password(store, ADMIN, "Rita").one_time_password
    app.run()
    _sign_in(app, "Rita", one_time)
    assert app.title[0].value == "Choose your password"
    app.text_input(key="current_password").input(one_time)
    app.text_input(key="new_password").input("my own long password")
    app.text_input(key="new_password_again").input("my own long password")
    app.button[0].click().run()
    assert app.title[0].value == "Articles"
    assert actions.sign_in(store, "Rita", "my own long password").name == "Rita"


def test_sessions_expire_and_disabled_accounts_are_signed_out(app, tmp_path):
    app.run()
    _sign_in(app, "Ann", PASSWORD)
    app.session_state["signed_in_at"] = time.time() - 13 * 3600
    app.run()
    assert "session ended" in app.error[0].value
    _sign_in(app, "Ann", PASSWORD)
    actions.disable_account(Store(tmp_path / "workbench.db"), ADMIN, "Ann")
    app.run()
    assert "no longer active" in app.error[0].value


def test_a_reviewer_does_not_see_editor_controls(app):
    app.run()
    _sign_in(app, "Rita", PASSWORD)
    app.button(key="load_demo").click().run()
    assert not app.exception
    assert "assign_button" not in [b.key for b in app.button]
    app.button(key="open_article").click().run()
    keys = {b.key for b in app.button}
    assert not {"bulk_apply", "add_claim"} & keys and any(k.startswith("verdict_verified_") for k in keys)
    app.switch_page("ui/export.py").run()
    assert "needs the editor role" in app.info[0].value
    app.switch_page("ui/corpus.py").run()
    assert "needs the editor role" in app.info[0].value


@pytest.mark.model
def test_the_review_page_shows_a_blind_reviewer_nothing_of_the_other(app, tmp_path):
    store = Store(tmp_path / "workbench.db")
    actions.add_account(store, ADMIN, "Bob", Role.REVIEWER, password=PASSWORD)
    app.run()
    _sign_in(app, "Ann", PASSWORD)
    app.button(key="load_demo").click().run()
    article = int(store.query_one("SELECT MAX(id) FROM articles")[0])
    actions.assign(store, ADMIN, article, "Rita", "Bob")
    claim = int(store.query_one("SELECT id FROM claims WHERE article_id = ? ORDER BY position LIMIT 1", (article,))[0])
    actions.import_evidence(
        store, ADMIN, [ArticleDraft("Wire", "Police held 32 people in Minsk on Saturday.", domain="news.org")], "t"
    )
    passage = int(store.query_one("SELECT MAX(id) FROM passages")[0])
    rita = Actor("Rita", Role.REVIEWER)
    actions.mark_passage(store, rita, claim, passage, "contradicts")
    actions.submit_blind(store, rita, claim, "disputed", "RITA-SECRET-RATIONALE")
    app.sidebar.button(key="sign_out").click().run()
    _sign_in(app, "Bob", PASSWORD)
    app.switch_page("ui/review.py").run()
    assert not app.exception
    page = " ".join(str(getattr(e, "value", "")) for e in app.main)  # every value on the page
    assert "RITA-SECRET-RATIONALE" not in page and "Current verdict" not in page
    assert any("Blind double review with Rita" in i.value for i in app.info)
    assert all(c.value is None for c in app.get("segmented_control"))  # Rita's mark is not preselected for Bob
    history = [c.value for c in app.caption if "·" in c.value and "UTC" in c.value]
    assert not any("Rita" in line for line in history)


def test_a_pending_blind_review_reaches_no_export_library_or_track_record(blind):
    from checks import export, factchecks, sources

    store, claim, *_ = blind
    assert export.verdict_records(store) == []  # exports, and the charts drawn from them, hold final verdicts only
    assert factchecks.library_size(store) == 0  # no blind verdict is offered as an earlier fact-check
    domain = store.query_one("SELECT a.domain FROM claims c JOIN articles a ON a.id = c.article_id WHERE c.id = ?", (claim,))[0]
    assert sources.track_record(store, domain or "example.com").total == 0
    actions.submit_blind(store, Actor("Bob", Role.REVIEWER), claim, "disputed", "agrees")
    assert [r["verdict"] for r in export.verdict_records(store)] == ["disputed"]  # settled by agreement: now it counts
    assert factchecks.library_size(store) == 1

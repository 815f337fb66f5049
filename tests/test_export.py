import csv
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from checks import actions, export
from checks.actions import Actor
from checks.articles import article_claims
from checks.ingest import ArticleDraft, parse_text
from checks.store import Store

ANN = Actor("Ann")
ARTICLE = 'Minsk report\n\n=HYPERLINK("http://evil.example") claims 32 were detained, police said.\n\nsource: express.co.uk'


def _decided(store):
    actions.import_lin2023(store, ANN, b"domain,pc1\nexpress.co.uk,0.37\n")
    article = actions.ingest_article(store, ANN, parse_text(ARTICLE))
    claim = article_claims(store, article.article_id)[1]
    actions.set_verdict(store, ANN, claim["id"], "disputed", 'said "700", not 32; line\nbreak')
    return export.verdict_records(store)


def test_csv_is_spreadsheet_safe_and_complete(store):
    data = export.to_csv(_decided(store))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["claim_text"].startswith("'=HYPERLINK")  # formula neutralised
    assert row["rationale"] == 'said "700", not 32; line\nbreak'  # quoting survives quotes and newlines
    assert (row["verdict"], row["reviewer"], row["article_domain"]) == ("disputed", "Ann", "express.co.uk")
    assert (row["source_rating"], row["source_rating_label"]) == ("0.370", "low")


def test_rating_snapshot_is_frozen_at_decision_time(store):
    records = _decided(store)
    actions.import_lin2023(store, ANN, b"domain,pc1\nexpress.co.uk,0.9\n")
    assert export.verdict_records(store)[0]["rating_snapshot"]["rating"] == records[0]["rating_snapshot"]["rating"] == 0.37


def test_claimreview_has_required_fields(store):
    reviews = json.loads(export.to_claimreview(_decided(store)))
    review_object = reviews[0]
    for field in ("@context", "@type", "url", "claimReviewed", "reviewRating", "author", "datePublished"):
        assert review_object[field], field
    assert review_object["@type"] == "ClaimReview"
    assert review_object["reviewRating"]["alternateName"] == "False"


def test_filters(store):
    _decided(store)
    assert export.verdict_records(store, export.ExportFilter(verdict="verified")) == []
    assert len(export.verdict_records(store, export.ExportFilter(reviewer="Ann"))) == 1
    assert export.verdict_records(store, export.ExportFilter(since="2999-01-01")) == []


def _without_ids(data: bytes) -> list[dict]:
    """CSV rows without the database ids, which differ between databases."""
    rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return [{k: v for k, v in row.items() if k not in ("claim_id", "article_id")} for row in rows]


def test_csv_round_trip_into_a_fresh_database_is_lossless(store, tmp_path):
    from checks.store import Store

    records = _decided(store)
    first = export.to_csv(records)
    other = Store(tmp_path / "other.db")
    report = actions.import_verdicts(other, Actor("Bob"), first)
    assert (report.imported, report.skipped) == (1, [])
    again = export.to_csv(export.verdict_records(other))
    assert _without_ids(again) == _without_ids(first)  # the reviewer is the row's, not the importer's
    twice = actions.import_verdicts(other, Actor("Bob"), first)
    assert (twice.imported, twice.updated) == (0, 0)  # importing twice adds nothing


def test_csv_import_reports_malformed_rows(store):
    data = (
        "\ufeffclaim_text,verdict,rationale,cited_evidence\n"
        '"Police held 32",maybe,,\n'
        ",verified,,\n"
        '"Fine claim",verified,,\n'
        '"Disputed with no reason given",disputed,,\n'
        '"Evidence that is not a list","verified",,"""a string"""\n'
        '"Evidence that is a list of strings",verified,,"[""https://apnews.com/x""]"\n'
    ).encode()
    report = actions.import_verdicts(store, ANN, data)
    assert report.imported == 1
    # An imported verdict obeys the rules of one saved on screen: a rationale for anything but
    # verified, cited evidence as passages.
    assert [s.split(":")[0] for s in report.skipped] == ["line 2", "line 3", "line 5", "line 6", "line 7"]
    assert "needs a rationale" in report.skipped[2] and all("list of passages" in s for s in report.skipped[3:])
    assert [r["text"] for r in store.query("SELECT text FROM claims")] == ["Fine claim"]
    assert actions.import_verdicts(store, ANN, b"text,label\nx,y\n").skipped == ["missing columns: claim_text, verdict"]


HIDDEN_FORMULAS = [
    " =1+1",
    '\n=HYPERLINK("http://evil.example")',
    "\r\n+cmd|' /C calc'!A0",
    "\u00a0@SUM(A1:A9)",
    "\u2003\u3000-2+3",
    "\u200b=1",  # zero-width space
    "\ufeff=1",  # byte-order mark
    "\t \n =1",
    "'already quoted",
]


def test_formulas_behind_whitespace_and_invisible_characters_are_neutralised():
    for text in HIDDEN_FORMULAS:
        assert export._safe_cell(text) == "'" + text, repr(text)
        assert export._unescape(export._safe_cell(text)) == text
    for text in ("Police held 32", " 32 detained", "a=b", "", "\u200b"):
        assert export._safe_cell(text) == text, repr(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30))
def test_safe_cell_round_trip_is_exact_and_never_leaves_a_formula(text):
    cell = export._safe_cell(text)
    assert export._unescape(cell) == text
    assert cell.startswith("'") or export._first_visible(cell) not in export.FORMULA_CHARS


def test_hidden_formulas_survive_export_and_import_unchanged(store, tmp_path):
    actions.import_lin2023(store, ANN, b"domain,pc1\nexpress.co.uk,0.37\n")
    article = actions.ingest_article(
        store, ANN, parse_text("Minsk report\n\nPolice held 32 people, officials said.\n\nsource: express.co.uk")
    )
    claim = article_claims(store, article.article_id)[1]
    rationale = "\n".join(HIDDEN_FORMULAS)
    actions.set_verdict(store, Actor("\u00a0=Ann"), claim["id"], "disputed", rationale)
    records = export.verdict_records(store)
    stored = (records[0]["reviewer"], records[0]["rationale"])  # as saved (the rationale is trimmed)
    data = export.to_csv(records)
    row = next(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert (row["reviewer"], row["rationale"]) == ("'" + stored[0], "'" + stored[1])
    other = Store(tmp_path / "other.db")
    assert actions.import_verdicts(other, ANN, data).imported == 1
    assert tuple(other.query_one("SELECT reviewer, rationale FROM verdicts")) == stored
    assert _without_ids(export.to_csv(export.verdict_records(other))) == _without_ids(data)


def test_csv_import_skips_hostile_json_cells(store):
    deep = "[" * 50_000  # a plain json.loads crashes on this with RecursionError
    data = f'claim_text,verdict,cited_evidence\n"Police held 32",verified,"{deep}"\n"Fine claim",verified,"[]"\n'.encode()
    report = actions.import_verdicts(store, ANN, data)
    assert report.imported == 1
    assert report.skipped == ["line 2: cited_evidence: JSON nested more than 32 levels deep."]


def test_cited_evidence_carries_its_own_source_rating(store):
    actions.import_lin2023(store, ANN, b"domain,pc1\nexpress.co.uk,0.37\nreuters.com,1\nyahoo.com,0.69\nnews.yahoo.com,0.82\n")
    drafts = [
        ArticleDraft("Report", "Police held 32 people in Minsk.", url="https://www.reuters.com/world/x", domain="reuters.com"),
        ArticleDraft("Wire", "Police said 32 were held in Minsk.", url="https://news.yahoo.com/minsk-1", domain="yahoo.com"),
        ArticleDraft("Blog", "Nobody was held in Minsk at all.", domain="unknown-blog.example"),
    ]
    actions.import_evidence(store, ANN, drafts, "t")
    article = actions.ingest_article(store, ANN, parse_text(ARTICLE))
    claim = article_claims(store, article.article_id)[1]
    passages = [r["id"] for r in store.query("SELECT id FROM passages ORDER BY id")]
    for passage, mark in zip(passages, ("supports", "supports", "contradicts"), strict=True):
        actions.mark_passage(store, ANN, claim["id"], passage, mark)
    actions.set_verdict(store, ANN, claim["id"], "verified")
    # A later change of a rating does not rewrite what the verdict cited.
    actions.override_rating(store, ANN, "reuters.com", 0.2, "test of the snapshot")
    records = export.verdict_records(store)
    evidence = records[0]["evidence"]
    assert [e["source_rating"]["key"] for e in evidence] == ["reuters.com", "news.yahoo.com", None]
    assert [e["source_rating"]["rating"] for e in evidence] == [1.0, 0.82, None]
    row = next(csv.DictReader(io.StringIO(export.to_csv(records).decode("utf-8-sig"))))
    assert row["source_rating_key"] == "express.co.uk"
    assert row["cited_evidence_domains"] == "reuters.com | yahoo.com | unknown-blog.example"
    assert row["cited_evidence_ratings"] == "high 1.000 | high 0.820 | unrated"
    assert row["cited_evidence_rating_keys"] == "reuters.com | news.yahoo.com | "
    assert json.loads(export.to_json(records))[0]["evidence"][1]["source_rating"]["match"] == "host"


def test_reimporting_an_export_with_a_repeated_sentence_keeps_both_verdicts(store, tmp_path):
    text = (
        "Minsk report\n\nThe interior ministry published a figure on Sunday. Police detained 32 people in Minsk on Saturday.\n\n"
        "Opposition leader Sviatlana Tsikhanouskaya spoke in Vilnius on Monday. Police detained 32 people in Minsk on Saturday.\n"
    )
    article = actions.ingest_article(store, ANN, parse_text(text))
    twins = [
        c for c in article_claims(store, article.article_id) if c["text"] == "Police detained 32 people in Minsk on Saturday."
    ]
    assert len(twins) == 2
    actions.set_verdict(store, ANN, twins[0]["id"], "verified")
    actions.set_verdict(store, Actor("Bob"), twins[1]["id"], "disputed", "the second report is about another day")
    data = export.to_csv(export.verdict_records(store))
    again = actions.import_verdicts(store, ANN, data)  # into the same database: nothing changes
    assert (again.imported, again.updated, again.skipped) == (0, 0, [])
    assert [r["verdict"] for r in store.query("SELECT verdict FROM verdicts ORDER BY claim_id")] == ["verified", "disputed"]
    fresh = Store(tmp_path / "fresh.db")
    assert actions.import_verdicts(fresh, ANN, data).imported == 2  # both verdicts, one per appearance
    assert _without_ids(export.to_csv(export.verdict_records(fresh))) == _without_ids(data)

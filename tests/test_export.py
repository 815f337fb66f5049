import csv
import io
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from checks import export, review
from checks.articles import article_claims, save_article
from checks.ingest import parse_text
from checks.sources import import_lin2023

ARTICLE = 'Minsk report\n\n=HYPERLINK("http://evil.example") claims 32 were detained, police said.\n\nsource: express.co.uk'


def _decided(store):
    import_lin2023(store, b"domain,pc1\nexpress.co.uk,0.37\n")
    article = save_article(store, parse_text(ARTICLE))
    claim = article_claims(store, article.article_id)[1]
    review.set_verdict(store, claim["id"], "disputed", "Ann", 'said "700", not 32; line\nbreak')
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
    import_lin2023(store, b"domain,pc1\nexpress.co.uk,0.9\n")
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
    report = export.import_csv(other, first)
    assert (report.imported, report.skipped) == (1, [])
    again = export.to_csv(export.verdict_records(other))
    assert _without_ids(again) == _without_ids(first)
    assert export.import_csv(other, first).imported == 0  # importing twice adds nothing


def test_csv_import_reports_malformed_rows(store):
    data = '\ufeffclaim_text,verdict\n"Police held 32",maybe\n,verified\n"Fine claim",verified\n'.encode()
    report = export.import_csv(store, data, "Ann")
    assert report.imported == 1
    assert [s.split(":")[0] for s in report.skipped] == ["line 2", "line 3"]
    assert export.import_csv(store, b"text,label\nx,y\n").skipped == ["missing columns: claim_text, verdict"]


HIDDEN_FORMULAS = [
    " =1+1",
    "\n=HYPERLINK(\"http://evil.example\")",
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
    from checks.store import Store

    import_lin2023(store, b"domain,pc1\nexpress.co.uk,0.37\n")
    article = save_article(store, parse_text("Minsk report\n\nPolice held 32 people, officials said.\n\nsource: express.co.uk"))
    claim = article_claims(store, article.article_id)[1]
    rationale = "\n".join(HIDDEN_FORMULAS)
    review.set_verdict(store, claim["id"], "disputed", "\u00a0=Ann", rationale)
    records = export.verdict_records(store)
    stored = (records[0]["reviewer"], records[0]["rationale"])  # as saved (the rationale is trimmed)
    data = export.to_csv(records)
    row = next(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert (row["reviewer"], row["rationale"]) == ("'" + stored[0], "'" + stored[1])
    other = Store(tmp_path / "other.db")
    assert export.import_csv(other, data).imported == 1
    assert tuple(other.query_one("SELECT reviewer, rationale FROM verdicts")) == stored
    assert _without_ids(export.to_csv(export.verdict_records(other))) == _without_ids(data)


def test_csv_import_skips_hostile_json_cells(store):
    deep = "[" * 50_000  # a plain json.loads crashes on this with RecursionError
    data = f'claim_text,verdict,cited_evidence\n"Police held 32",verified,"{deep}"\n"Fine claim",verified,"[]"\n'.encode()
    report = export.import_csv(store, data, "Ann")
    assert report.imported == 1
    assert report.skipped == ["line 2: cited_evidence: JSON nested more than 32 levels deep."]

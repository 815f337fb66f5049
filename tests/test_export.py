import csv
import io
import json

from checks import export, review
from checks.articles import article_claims, save_article
from checks.ingest import parse_text
from checks.sources import import_lin2023

ARTICLE = (
    'Minsk report\n\n=HYPERLINK("http://evil.example") claims 32 were detained, police said.\n\nsource: express.co.uk'
)


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
    assert (
        export.verdict_records(store)[0]["rating_snapshot"]["rating"] == records[0]["rating_snapshot"]["rating"] == 0.37
    )


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

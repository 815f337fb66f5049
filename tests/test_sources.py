import pytest

from checks import actions, sources
from checks.actions import Actor
from checks.errors import InputError
from checks.ingest import parse_text
from tests.conftest import DATASETS

ANN = Actor("Ann")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.express.co.uk/news/world/1", "express.co.uk"),
        ("amp.theguardian.com", "theguardian.com"),
        ("M.BBC.CO.UK", "bbc.co.uk"),
        ("https://www.gov.uk/government/news", "gov.uk"),
        ("https://de.rt.com/*", "rt.com"),
        ("not a domain", None),
        ("", None),
    ],
)
def test_registrable_domain(value, expected):
    assert sources.registrable_domain(value) == expected


def test_lin2023_import_reports_malformed_rows(store):
    data = (
        b"domain,pc1,afm,mbfc\n"
        b"express.co.uk,0.37,0.4,0.3\n"
        b"www.bbc.co.uk,0.72,0.8,0.9\n"
        b"broken,abc,,\n"
        b"nodomain,0.5,,\n"
        b"toohigh.com,1.7,,\n"
    )
    report = actions.import_lin2023(store, ANN, data)
    assert report.imported == 2
    assert len(report.skipped) == 3 and "line 4" in report.skipped[0]
    rating = sources.lookup(store, "https://m.express.co.uk/news")
    assert (rating.rating, rating.label, rating.rater) == (0.37, "low", sources.LIN2023_RATER)
    assert rating.components == {"afm": 0.4, "mbfc": 0.3}
    assert sources.lookup(store, "bbc.co.uk").label == "medium"
    unknown = sources.lookup(store, "never-heard-of.example")
    assert unknown.rating is None and unknown.badge() == "unrated"


def test_unreliable_list_flags_without_inventing_numbers(store):
    actions.import_lin2023(store, ANN, b"domain,pc1\nrt.com,0.1\n")
    report = actions.import_unreliable_list(
        store,
        ANN,
        b"# header\nhttps://www.infowars.com/*\nhttps://rt.com/*\nhttps://www.dailymail.co.uk/ushome/index.html*\n::::\n",
        as_of="2024-08-01",
    )
    assert report.skipped and "line 5" in report.skipped[0]
    infowars = sources.lookup(store, "infowars.com")
    assert infowars.rating is None and infowars.label == "unreliable (listed)"
    assert sources.lookup(store, "rt.com").rating == 0.1  # numeric rating kept, flag added
    assert "iffy_listed" in sources.lookup(store, "rt.com").components
    assert sources.lookup(store, "dailymail.co.uk").label == "unrated"  # one section listed, not the site


def test_override_keeps_history_and_wins_over_reimport(store):
    actions.import_lin2023(store, ANN, b"domain,pc1\nexpress.co.uk,0.37\n")
    with pytest.raises(InputError, match="reason"):
        actions.override_rating(store, ANN, "express.co.uk", 0.5, "")
    rating = actions.override_rating(store, ANN, "www.express.co.uk", 0.55, "checked corrections policy")
    assert (rating.domain, rating.rating, rating.rater) == ("express.co.uk", 0.55, "override by Ann")
    assert sources.lookup(store, "express.co.uk").rating == 0.55
    assert sources.history(store, "express.co.uk")[0]["previous"]["rating"] == 0.37
    actions.import_lin2023(store, ANN, b"domain,pc1\nexpress.co.uk,0.37\n")
    assert sources.lookup(store, "express.co.uk").rating == 0.55


def test_track_record_is_smoothed_by_the_imported_rating(store):
    actions.import_lin2023(store, ANN, b"domain,pc1\nexpress.co.uk,0.25\n")
    article = actions.ingest_article(
        store,
        ANN,
        parse_text(
            "Headline here about Minsk\n\nPolice detained 32 people in Minsk. "
            "The ministry said 42 sites were recorded.\n\nsource: express.co.uk"
        ),
    )
    ids = [r["id"] for r in store.query("SELECT id FROM claims WHERE article_id = ?", (article.article_id,))]
    actions.set_verdict(store, ANN, ids[1], "verified")
    actions.set_verdict(store, ANN, ids[2], "disputed", "contradicted")
    record = sources.track_record(store, "express.co.uk")
    assert (record.verified, record.disputed, record.total) == (1, 1, 2)
    assert record.score == pytest.approx((4 * 0.25 + 1) / (4 + 2))


def test_full_lin2023_dataset_imports():
    path = DATASETS / "domain-quality-ratings-lin2023" / "domain_ratings.csv"
    if not path.exists():
        pytest.skip("Lin et al. 2023 data not present beside the project")
    from checks.store import Store

    db = Store(":memory:")
    report = actions.import_lin2023(db, ANN, path)
    assert report.imported + report.updated > 11000
    assert sources.lookup(db, "https://www.express.co.uk").rating is not None

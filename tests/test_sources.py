import csv
import gzip
import io
import json

import pytest

from checks import actions, sources
from checks.actions import Actor
from checks.actions.ratings import load_shipped_ratings
from checks.config import SHIPPED_SOURCES, load_settings
from checks.errors import InputError
from checks.ingest import parse_text
from checks.service import Workbench
from checks.store import Store
from tests.conftest import DATASETS

ANN = Actor("Ann")
# Rows as the Lin et al. file gives them (values from the published data): hosts, sections, blogs.
LIN_ROWS = (
    b"domain,pc1,afm,mbfc\n"
    b"yahoo.com,0.692,0.86,0.9\n"
    b"yahoo.com/news,0.655,0.69,0.6\n"
    b"news.yahoo.com,0.817,0.8,0.8\n"
    b"newyorker.com,0.663,0.7,0.7\n"
    b"newyorker.com/humor,0.402,0.4,0.4\n"
    b"newyorker.com/humor/borowitz-report,0.273,0.3,0.3\n"
    b"blogspot.com,0.670,0.7,0.7\n"
    b"newzeal.blogspot.com,0.628,0.6,0.6\n"
    b"www.xinhuanet.com,0.348,0.4,0.4\n"
    b"xinhuanet.com,0.308,0.4,0.3\n"
)


def _shipped_rows() -> dict[str, float]:
    with gzip.open(SHIPPED_SOURCES / "domain_ratings.csv.gz", "rt", encoding="utf-8") as handle:
        return {row["domain"]: float(row["pc1"]) for row in csv.DictReader(handle)}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.express.co.uk/news/world/1", "express.co.uk"),
        ("amp.theguardian.com", "theguardian.com"),
        ("M.BBC.CO.UK", "bbc.co.uk"),
        ("https://www.gov.uk/government/news", "gov.uk"),
        ("https://de.rt.com/*", "rt.com"),
        ("https://newzeal.blogspot.com/2020/x", "newzeal.blogspot.com"),  # a blog on a shared host is its own site
        ("not a domain", None),
        ("", None),
    ],
)
def test_registrable_domain(value, expected):
    assert sources.registrable_domain(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://WWW.NewYorker.com/humor/*", ("www.newyorker.com", "/humor")),
        ("https://www.dailymail.co.uk/ushome/index.html*", ("www.dailymail.co.uk", "/ushome/index.html")),
        ("http://user@reuters.com:443/world/?q=1#top", ("reuters.com", "/world")),
        ("yahoo.com/news", ("yahoo.com", "/news")),
        ("82.221.129.208", ("82.221.129.208", "")),
        ("localhost", None),
        ("not a domain", None),
    ],
)
def test_rating_key_is_host_and_path_as_rated(value, expected):
    key = sources.rating_key(value)
    assert (tuple(key) if key else None) == expected


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
    assert (rating.rating, rating.label, rating.rater, rating.key) == (0.37, "low", sources.LIN2023_RATER, "express.co.uk")
    assert rating.components == {"afm": 0.4, "mbfc": 0.3}
    bbc = sources.lookup(store, "bbc.co.uk")  # stored as www.bbc.co.uk: the same host
    assert (bbc.label, bbc.key) == ("medium", "www.bbc.co.uk")
    unknown = sources.lookup(store, "never-heard-of.example")
    assert unknown.rating is None and unknown.badge() == "unrated" and unknown.key is None


def test_most_specific_key_wins_host_and_path_first(store):
    actions.import_lin2023(store, ANN, LIN_ROWS)

    def shown(target):
        rating = sources.lookup(store, target)
        return rating.rating, rating.key, rating.match

    assert shown("https://news.yahoo.com/some-story") == (0.817, "news.yahoo.com", "host")
    assert shown("https://uk.news.yahoo.com/x") == (0.817, "news.yahoo.com", "parent host")
    assert shown("https://www.yahoo.com/news/x") == (0.655, "yahoo.com/news", "host + path")
    assert shown("https://sg.yahoo.com/news/x") == (0.655, "yahoo.com/news", "registrable domain + path")
    assert shown("https://finance.yahoo.com/quote") == (0.692, "yahoo.com", "registrable domain")
    column = "newyorker.com/humor/borowitz-report"
    assert shown("https://www.newyorker.com/humor/borowitz-report/a") == (0.273, column, "host + path")
    assert shown("https://www.newyorker.com/humor/daily-shouts") == (0.402, "newyorker.com/humor", "host + path")
    assert shown("https://www.newyorker.com/humorous-story") == (0.663, "newyorker.com", "host")  # whole path segments only
    assert shown("newyorker.com") == (0.663, "newyorker.com", "host")
    # Each spelling the data rates keeps its own number; a subdomain takes the registrable domain's.
    assert shown("www.xinhuanet.com")[0] == 0.348 and shown("xinhuanet.com")[0] == 0.308
    assert shown("english.xinhuanet.com")[1] == "xinhuanet.com"
    # A blog on blogspot.com is rated as itself, never as the platform.
    assert shown("newzeal.blogspot.com/2020/07/x.html") == (0.628, "newzeal.blogspot.com", "host")
    assert shown("https://someone-else.blogspot.com/") == (None, None, "")
    assert shown("blogspot.com")[0] == 0.670
    batch = sources.lookup_many(store, {"https://news.yahoo.com/a", "https://www.newyorker.com/humor/x", "unknown.example"})
    assert {t: r.rating for t, r in batch.items()} == {
        "https://news.yahoo.com/a": 0.817,
        "https://www.newyorker.com/humor/x": 0.402,
        "unknown.example": None,
    }


def test_import_reports_every_collision_and_change(store):
    first = actions.import_lin2023(store, ANN, b"domain,pc1\nreuters.com,0.9\nnews.yahoo.com,0.8\nsports.yahoo.com,0.81\n")
    assert (first.imported, first.collisions) == (3, [])  # two hosts of one domain are two keys, not a collision
    report = actions.import_lin2023(store, ANN, b"domain,pc1\nreuters.com,1\nhttps://Reuters.com/,0.5\nnews.yahoo.com,0.8\n")
    assert report.collisions == [
        "line 3 'https://Reuters.com/' and line 2 'reuters.com' are both reuters.com: kept line 2's 1.000, ignored 0.500"
    ]
    assert report.changes == ["reuters.com: 0.900 → 1.000"]
    assert (report.imported, report.updated, report.unchanged, report.removed) == (0, 1, 1, 0)
    assert sources.lookup(store, "sports.yahoo.com").rating == 0.81  # not in the file: kept unless replacing
    assert report.summary() == (
        "0 imported, 1 updated, 0 skipped, 1 unchanged; 1 collisions: rows repeating an earlier row's key (the first kept)"
    )
    event = json.loads(store.query_one("SELECT new FROM audit_log ORDER BY id DESC LIMIT 1")["new"])
    assert event["collisions"] == report.collisions and event["changes"] == report.changes
    replaced = actions.import_lin2023(store, ANN, b"domain,pc1\nreuters.com,1\n", replace=True)
    assert replaced.removed == 2 and "sports.yahoo.com: removed (was 0.810; not in this version)" in replaced.changes
    assert sources.lookup(store, "sports.yahoo.com").rating is None


def test_unreliable_list_flags_without_inventing_numbers(store):
    actions.import_lin2023(store, ANN, b"domain,pc1\nrt.com,0.1\ndailymail.co.uk,0.38\n")
    report = actions.import_unreliable_list(
        store,
        ANN,
        b"# header\nhttps://www.infowars.com/*\nhttps://rt.com/*\nhttps://www.dailymail.co.uk/ushome/index.html*\n::::\n",
        file_name="2024-08-01__iffy_list.txt",
    )
    assert report.skipped and "line 5" in report.skipped[0]
    infowars = sources.lookup(store, "infowars.com")
    assert (infowars.rating, infowars.label, infowars.badge()) == (None, "unreliable (listed)", "unreliable (listed)")
    rt = sources.lookup(store, "https://www.rt.com/news")
    assert rt.rating == 0.1 and rt.listing["key"] == "rt.com" and rt.listing["as_of"] == "2024-08-01"
    # One listed section does not condemn the whole site.
    assert sources.lookup(store, "dailymail.co.uk").listing is None
    section = sources.lookup(store, "https://www.dailymail.co.uk/ushome/index.html")
    assert section.rating == 0.38 and section.listing["key"] == "www.dailymail.co.uk/ushome/index.html"


def test_listed_site_with_a_score_of_at_least_half_shows_both(store):
    header = b"domain,pc1,afm,fc,mbfc,lewandowsky_mean,misinfome_bin\n"
    actions.import_lin2023(store, ANN, header + b"example-news.com,0.62,0.7,0.5,0.6,0.5,1\n")
    actions.import_unreliable_list(store, ANN, b"https://www.example-news.com/*\n", as_of="2024-08-01")
    rating = sources.lookup(store, "https://example-news.com/a")
    assert rating.badge() == "medium 0.62 · listed unreliable"
    lines = sources.provenance(rating)
    assert any("Listed by Iffy.news" in line and "the two sources disagree" in line for line in lines)
    assert any(line.startswith("Raters behind it: Ad Fontes Media 0.70 · fact-checkers 0.50") for line in lines)
    assert "Matched key: example-news.com (host) for example-news.com/a." in lines


def test_override_wins_keeps_history_and_survives_reimport(store):
    actions.import_lin2023(store, ANN, b"domain,pc1\nexpress.co.uk,0.37\n")
    with pytest.raises(InputError, match="reason"):
        actions.override_rating(store, ANN, "express.co.uk", 0.5, "")
    rating = actions.override_rating(store, ANN, "https://www.express.co.uk/", 0.55, "checked corrections policy")
    assert (rating.key, rating.rating, rating.rater) == ("express.co.uk", 0.55, "override by Ann")
    assert rating.badge() == "medium 0.55 · override"
    assert rating.replaces["rating"] == 0.37
    assert any("Override by Ann" in line and "checked corrections policy" in line for line in sources.provenance(rating))
    assert sources.history(store, "express.co.uk")[0]["previous"]["rating"] == 0.37
    report = actions.import_lin2023(store, ANN, b"domain,pc1\nexpress.co.uk,0.4\n", replace=True)
    assert report.overrides_kept == ["express.co.uk: the override 0.550 by Ann stays in force (imported 0.400)"]
    after = sources.lookup(store, "https://www.express.co.uk/news")
    assert (after.rating, after.replaces["rating"]) == (0.55, 0.4)
    # Undoing the override shows the re-imported value, not the one it first replaced.
    event = store.query_one("SELECT id FROM audit_log WHERE action = 'override rating'")["id"]
    actions.undo(store, ANN, event)
    assert sources.lookup(store, "express.co.uk").rating == 0.4


def test_fresh_start_rates_every_outlet_of_the_shipped_data(tmp_path):
    bench = Workbench(load_settings(tmp_path / "data"))
    bench.seed_demo_data()
    shipped = _shipped_rows()
    reuters = sources.lookup(bench.store, "https://www.reuters.com/world/europe/story")
    assert (reuters.rating, reuters.key) == (1.0, "reuters.com")
    for host in ("news.yahoo.com", "abcnews.go.com", "chicago.suntimes.com", "newzeal.blogspot.com"):
        rating = sources.lookup(bench.store, f"https://{host}/a-story")
        assert (rating.rating, rating.key) == (shipped[host], host)
    listed = sources.lookup(bench.store, "dailysceptic.org")
    assert listed.rating == shipped["dailysceptic.org"] >= 0.5 and listed.listing is not None
    assert "listed unreliable" in listed.badge()
    loaded = {d["name"]: d for d in sources.datasets(bench.store)}
    assert loaded["lin2023"]["keys"] == len(shipped) and loaded["lin2023"]["as_of"] == "2023-09"
    assert loaded["lin2023"]["version"].endswith("5671d57e545e48225ef2cbf559a6ab7f8f77a9de")
    assert loaded["iffy"]["as_of"] == "2024-08-01"
    events = bench.store.query_one("SELECT COUNT(*) FROM audit_log")[0]
    Workbench(load_settings(tmp_path / "data")).seed_demo_data()  # a restart loads nothing again
    assert bench.store.query_one("SELECT COUNT(*) FROM audit_log")[0] == events


def _manifest(folder, version: str, rows: bytes) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "ratings.csv").write_bytes(rows)
    entry = {"format": "lin2023", "file": "ratings.csv", "version": version, "as_of": "2030-01"}
    (folder / "datasets.json").write_text(json.dumps({"lin2023": entry}))


def test_a_newer_shipped_version_replaces_the_older_one_and_keeps_overrides(store, tmp_path):
    folder = tmp_path / "shipped"
    _manifest(folder, "v1", b"domain,pc1\nold-outlet.com,0.5\nexpress.co.uk,0.37\n")
    load_shipped_ratings(store, folder)
    actions.override_rating(store, ANN, "express.co.uk", 0.6, "local knowledge")
    _manifest(folder, "v2", b"domain,pc1\nexpress.co.uk,0.4\n")
    (report,) = load_shipped_ratings(store, folder)
    assert report.removed == 1 and report.overrides_kept
    assert sources.lookup(store, "old-outlet.com").rating is None
    assert sources.lookup(store, "express.co.uk").rating == 0.6
    assert sources.datasets(store)[0]["version"] == "v2"
    # A set someone imported themselves is theirs: a shipped version does not replace it.
    actions.import_lin2023(store, ANN, b"domain,pc1\nexpress.co.uk,0.45\n", version="their own")
    _manifest(folder, "v3", b"domain,pc1\nexpress.co.uk,0.1\n")
    assert load_shipped_ratings(store, folder) == []


def _article(store, body: str, source: str) -> int:
    saved = actions.ingest_article(store, ANN, parse_text(f"Report on Minsk\n\n{body}\n\nsource: {source}"))
    return saved.article_id


def test_track_record_is_weighted_and_needs_verdicts_from_more_than_one_article(store):
    actions.import_lin2023(store, ANN, b"domain,pc1\nexpress.co.uk,0.37\n")
    body = (
        "Police detained 32 people in Minsk on Sunday. The ministry said 42 sites were recorded. "
        "Officials counted 700 arrests by Monday. The weather was mild. Lukashenko has ruled since 1994."
    )
    first = _article(store, body, "express.co.uk")
    claims = store.query("SELECT id, score FROM claims WHERE article_id = ? AND dropped = 0", (first,))
    assert len(claims) >= 5
    for claim in claims:
        actions.set_verdict(store, ANN, claim["id"], "verified")
    record = sources.track_record(store, "express.co.uk")
    assert (record.total, record.articles, record.score) == (len(claims), 1, None)
    assert record.summary().startswith(f"{len(claims)} verdicts, too few ({len(claims)} verified")
    second = _article(store, "Police said 5,000 people marched in Minsk on Sunday.", "express.co.uk")
    headline = store.query("SELECT id, score FROM claims WHERE article_id = ? ORDER BY score DESC", (second,))[0]
    actions.set_verdict(store, ANN, headline["id"], "disputed", "counted 50,000")
    record = sources.track_record(store, "https://www.express.co.uk/news")
    verified = sum(c["score"] for c in claims)
    expected = (4 * 0.37 + verified) / (4 + verified + headline["score"])
    assert (record.verified, record.disputed, record.articles) == (len(claims), 1, 2)
    assert record.score == pytest.approx(expected)
    assert record.summary().startswith(f"{expected:.2f} from {len(claims)} verified, 1 disputed, 0 unsupported in 2 articles")


def test_full_lin2023_dataset_imports_every_row_under_its_own_key():
    path = DATASETS / "domain-quality-ratings-lin2023" / "domain_ratings.csv"
    if not path.exists():
        pytest.skip("Lin et al. 2023 data not present beside the project")
    db = Store(":memory:")
    report = actions.import_lin2023(db, ANN, path)
    rows = {r["domain"]: float(r["pc1"]) for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))}
    assert (report.imported, report.skipped, report.collisions) == (len(rows), [], [])
    # The outlets the folding importer showed another row's number for.
    for domain in ("reuters.com", "newyorker.com", "businessinsider.com", "foxnews.com", "theguardian.com"):
        assert sources.lookup(db, f"https://www.{domain}/x").rating == rows[domain]
    assert rows["reuters.com"] == 1.0

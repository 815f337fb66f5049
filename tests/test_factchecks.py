import json
from datetime import date

import pytest

from checks import actions, factchecks, review
from checks.actions import Actor
from checks.errors import InputError, NotFoundError
from checks.store import content_hash, utc_now
from checks.vocab import AuditAction, MatchDecision
from tests.conftest import DATASETS

ANN, BOB = Actor("Ann"), Actor("Bob")
CLEF_TSV = DATASETS / "clef2020-checkthat-task2-en" / "verified_claims.docs.tsv"

LIBRARY_CSV = (
    b"claimReviewed,rating,url,date,publisher\n"
    b'"Clint Eastwood wrote the essay that begins ""People message me why I stick my neck out for Trump""",False,'
    b"https://www.snopes.com/fact-check/eastwood-neck/,2016-11-09,Snopes\n"
    b"Bricks of cocaine washed ashore in Florida after Hurricane Dorian in September 2019,Mostly True,"
    b"https://www.snopes.com/fact-check/dorian-cocaine/,2019-09-10,Snopes\n"
    b"The city council voted to ban all cars from the historic centre by the end of the decade,Unproven,"
    b"https://example.org/cars,2023-03-01,Example Checks\n"
    b"Wombats are herding animals into their burrows to escape the Australian bushfires,unknown,,,\n"
)


def add_claim(store, text: str, published: str | None = None) -> int:
    """A stored claim in its own one-sentence article."""
    with store.transaction() as conn:
        article = conn.execute(
            "INSERT INTO articles (title, published, body, content_hash, created_at) VALUES (?,?,?,?,?)",
            (text[:40], published, text, content_hash(text), utc_now()),
        ).lastrowid
        return conn.execute(
            "INSERT INTO claims (article_id, position, text, score, claim_type) VALUES (?, 0, ?, 0.9, 'statistic')",
            (article, text),
        ).lastrowid


def import_table(store, name: str, data: bytes, collection: str | None = None) -> factchecks.LibraryImport:
    return actions.import_factchecks(store, ANN, name, data, collection)


def library_row(store, text_start: str) -> factchecks.FactCheck:
    row = store.query_one("SELECT id FROM factchecks WHERE claim LIKE ?", (text_start + "%",))
    return factchecks.get_factcheck(store, row["id"])


def test_csv_import_reads_flexible_columns_and_reports_malformed_rows(store):
    data = LIBRARY_CSV + (
        b",False,https://example.org/empty,2020-01-01,X\n"
        b"A claim with a date nobody can read is skipped,False,https://example.org/d,sometime soon,X\n"
        b"A claim with a broken link is skipped,False,not a link,2020-01-01,X\n"
        b"A row with too many fields,False,https://example.org/f,2020-01-01,X,extra\n"
    )
    report = import_table(store, "checks.csv", data)
    assert report.collection == "checks" and report.imported == 4 and report.already_present == 0
    assert [reason.split(":")[0] for reason in report.skipped] == ["row 6", "row 7", "row 8", "row 9"]
    assert "no claim text" in report.skipped[0] and "date" in report.skipped[1] and "6 fields" in report.skipped[3]
    eastwood = library_row(store, "Clint Eastwood")
    assert (eastwood.verdict, eastwood.published, eastwood.publisher) == ("False", "2016-11-09", "Snopes")
    assert eastwood.claim.endswith('"People message me why I stick my neck out for Trump"')
    wombats = library_row(store, "Wombats")
    assert wombats.verdict == "unknown" and wombats.url is None and wombats.publisher is None
    assert "4 fact-checks imported" in report.summary()


def test_tsv_without_verdicts_is_a_clef_collection_and_reimport_is_idempotent(store):
    data = (
        b"\tvclaim\ttitle\n"
        b"0\tA \"large-scale killing\" of white farmers is taking place in South Africa.\tIs There a 'Large-Scale Killing'?\n"
        b"1\tA 'large-scale killing' of white farmers is taking place in South Africa.\tIs There a 'Large-Scale Killing'?\n"
        b"2\tHurricane Dorian washed bricks of cocaine onto Florida beaches.\tDid Cocaine Wash Up?\n"
    )
    first = import_table(store, "verified_claims.docs.tsv", data)
    assert (first.collection, first.imported, first.already_present) == ("clef2020-snopes", 2, 1)  # quote marks folded
    again = import_table(store, "verified_claims.docs.tsv", data)
    assert (again.imported, again.already_present, again.skipped) == (0, 3, [])
    rows = store.query("SELECT external_id, verdict, url, publisher FROM factchecks ORDER BY id")
    assert [tuple(r) for r in rows] == [("0", "unknown", None, "Snopes"), ("2", "unknown", None, "Snopes")]
    assert store.query_one("SELECT COUNT(*) FROM audit_log WHERE action = 'import fact-checks'")[0] == 2


def test_table_without_claim_column_is_refused(store):
    with pytest.raises(factchecks.FactCheckError, match="no claim column"):
        import_table(store, "x.csv", b"headline,verdict\nSomething,False\n")
    assert store.query_one("SELECT COUNT(*) FROM audit_log")[0] == 0


def test_claimreview_import_reads_graph_lists_and_single_objects(store):
    review_item = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://www.politifact.com/factchecks/2020/jan/01/one/",
        "claimReviewed": "The moon landing in 1969 was filmed in a studio in Nevada.",
        "datePublished": "2020-01-01T10:00:00Z",
        "author": {"@type": "Organization", "name": "PolitiFact"},
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "alternateName": "Pants on Fire!"},
    }
    second = {
        **review_item,
        "url": "https://factcheck.example.com/two",
        "claimReviewed": "Drinking hot water cures the flu within two days.",
        "author": None,
    }
    graph = {"@context": "https://schema.org", "@graph": [review_item, second, {"@type": "WebPage"}, {"@type": "ClaimReview"}]}
    report = import_table(store, "reviews.jsonld", json.dumps(graph).encode())
    assert report.collection == "claimreview"
    assert (report.imported, len(report.skipped)) == (2, 2)
    assert "not a ClaimReview" in report.skipped[0] and "no claimReviewed" in report.skipped[1]
    moon = library_row(store, "The moon landing")
    assert (moon.verdict, moon.published, moon.publisher, moon.workbench_verdict) == (
        "Pants on Fire!",
        "2020-01-01",
        "PolitiFact",
        "disputed",
    )
    assert library_row(store, "Drinking hot water").publisher == "example.com"  # no author: the site
    assert import_table(store, "reviews.json", json.dumps([review_item, second]).encode()).already_present == 2
    assert import_table(store, "review.json", json.dumps(review_item).encode()).already_present == 1
    with pytest.raises(InputError, match="not valid JSON"):
        import_table(store, "broken.json", b"not json")


@pytest.mark.parametrize(
    ("rating", "verdict"),
    [
        ("Mostly True", "verified"),
        ("correct", "verified"),
        ("Pants on Fire!", "disputed"),
        ("FALSE", "disputed"),
        ("Mixture", "unsupported"),
        ("Misleading.", "unsupported"),
        ("unknown", None),
        ("Labeled Satire", None),
    ],
)
def test_ratings_map_to_workbench_verdicts(rating, verdict):
    assert factchecks.workbench_verdict(rating) == verdict


def test_social_post_text_is_cleaned_for_matching():
    post = (
        "Trump says “my crimes can’t be investigated” #ImpeachTrump https://t.co/c3iQ86DThG "
        "— Stone 🥶 (@stonecold2050) September 20, 2019"
    )
    assert factchecks.clean_text(post) == "Trump says “my crimes can’t be investigated” Impeach Trump Stone 🥶"


@pytest.fixture
def matcher(store, encoder):
    import_table(store, "library.csv", LIBRARY_CSV)
    return factchecks.Matcher.from_store(store, encoder)


@pytest.mark.model
def test_quote_and_name_heavy_paraphrase_is_matched(matcher):
    post = (
        "STOP sharing this: Eastwood never wrote 'why I stick my neck out for Trump', says his daughter "
        "https://t.co/TPX0dF5Dil — Morgan Eastwood (@MorganEastwood) November 9, 2016"
    )
    matches = matcher.match(post, k=3, as_of=date(2016, 11, 10), min_score=0)
    best = matches[0]
    assert best.factcheck.claim.startswith("Clint Eastwood") and best.fuzzy == max(m.fuzzy for m in matches)
    params = matcher.params
    assert best.combined == pytest.approx(
        params.dense_weight * best.dense + params.lexical_weight * best.lexical + params.fuzzy_weight * best.fuzzy
    )


@pytest.mark.model
def test_tiers_short_claims_and_old_fact_checks_are_only_related(matcher):
    long_claim = "Bricks of cocaine washed ashore in Florida after Hurricane Dorian in September 2019"
    same = matcher.match(long_claim, as_of=date(2020, 1, 1))[0]
    assert same.tier == factchecks.SAME_CLAIM and same.reasons == []
    short = matcher.match("Cocaine washed ashore.", as_of=date(2020, 1, 1))
    assert short and all(m.tier == factchecks.RELATED for m in short)
    old = matcher.match(long_claim, as_of=date(2026, 1, 1))[0]
    assert old.factcheck.id == same.factcheck.id and old.tier == factchecks.RELATED
    assert "older than 5 years" in old.reasons[0]
    assert matcher.match("A recipe for lemon cake with three eggs and butter") == []  # nothing above "related"


@pytest.mark.model
def test_reuse_records_the_verdict_with_the_logged_action(store, matcher):
    claim_id = add_claim(
        store, "Bricks of cocaine washed ashore in Florida after Hurricane Dorian in September 2019.", "2019-09-12"
    )
    match = factchecks.matches_for_claim(store, matcher, claim_id)[0]
    assert match.tier == factchecks.SAME_CLAIM and match.factcheck.verdict == "Mostly True"
    assert actions.reuse_factcheck(store, ANN, claim_id, match.factcheck.id).version == 1
    verdict = store.query_one("SELECT verdict, rationale, reviewer FROM verdicts WHERE claim_id = ?", (claim_id,))
    assert tuple(verdict) == ("verified", "reused earlier fact-check: https://www.snopes.com/fact-check/dorian-cocaine/", "Ann")
    assert review.history(store, claim_id)[0].action == AuditAction.REUSE_FACTCHECK == "reuse earlier fact-check"
    decision = store.query_one("SELECT factcheck_id, decision FROM factcheck_decisions WHERE claim_id = ?", (claim_id,))
    assert tuple(decision) == (match.factcheck.id, "reused")
    assert factchecks.matches_for_claim(store, matcher, claim_id)[0].decision == MatchDecision.REUSED
    with pytest.raises(InputError, match="record the verdict yourself"):
        actions.reuse_factcheck(store, ANN, claim_id, library_row(store, "Wombats").id)
    with pytest.raises(NotFoundError):
        actions.reuse_factcheck(store, ANN, claim_id, 999_999)


@pytest.mark.model
def test_dismissed_match_is_logged_and_not_shown_again(store, matcher):
    claim_id = add_claim(store, "The council voted to ban all cars from the historic centre by the end of the decade.")
    other_id = add_claim(store, "Council voted to ban cars from the historic centre by the end of the decade, residents say.")
    target = factchecks.matches_for_claim(store, matcher, claim_id)[0].factcheck.id
    actions.dismiss_factcheck(store, BOB, claim_id, target)
    assert target not in [m.factcheck.id for m in factchecks.matches_for_claim(store, matcher, claim_id)]
    assert target == factchecks.matches_for_claim(store, matcher, other_id)[0].factcheck.id  # only for that claim
    entry = store.query_one("SELECT reviewer, entity_id, new FROM audit_log WHERE action = ?", (AuditAction.DISMISS_FACTCHECK,))
    assert (entry["reviewer"], entry["entity_id"], json.loads(entry["new"])["factcheck_id"]) == ("Bob", claim_id, target)


@pytest.mark.model
def test_own_verdicts_are_matched_across_articles_but_never_to_themselves(store, encoder):
    text = "The regional hospital closed its maternity ward in March after losing eleven midwives."
    assert factchecks.Matcher.from_store(store, encoder).match(text) == []  # empty library
    first = add_claim(store, text)
    actions.set_verdict(store, ANN, first, "disputed", "the ward is open; ministry figures")
    own = store.query_one("SELECT * FROM factchecks WHERE collection = 'workbench'")  # mirrored with the save
    assert (own["claim_id"], own["verdict"], own["claim"]) == (first, "disputed", text)
    matcher = factchecks.Matcher.from_store(store, encoder)
    assert factchecks.matches_for_claim(store, matcher, first) == []
    second = add_claim(
        store, "Reports say the regional hospital closed its maternity ward in March after losing eleven midwives."
    )
    match = factchecks.matches_for_claim(store, matcher, second)[0]
    assert (match.factcheck.claim_id, match.tier, match.rationale) == (
        first,
        factchecks.SAME_CLAIM,
        "the ward is open; ministry figures",
    )
    actions.reuse_factcheck(store, BOB, second, match.factcheck.id)
    assert store.query_one("SELECT verdict FROM verdicts WHERE claim_id = ?", (second,))[0] == "disputed"
    actions.set_verdict(store, ANN, first, "verified")  # a changed verdict changes the library's copy
    assert store.query_one("SELECT verdict FROM factchecks WHERE claim_id = ?", (first,))[0] == "verified"
    actions.clear_verdict(store, ANN, first)  # a withdrawn verdict leaves the library
    assert [r["claim_id"] for r in store.query("SELECT claim_id FROM factchecks")] == [second]


@pytest.mark.skipif(not CLEF_TSV.exists(), reason="CLEF-2020 dataset not present beside the project")
def test_real_clef_verified_claims_import(store):
    report = import_table(store, CLEF_TSV.name, CLEF_TSV.read_bytes())
    assert report.collection == "clef2020-snopes" and report.skipped == []
    assert report.imported + report.already_present == 10_375 and report.already_present < 200
    row = store.query_one("SELECT * FROM factchecks WHERE external_id = '0'")
    assert row["claim"].startswith("122 detainees released") and row["verdict"] == "unknown" and row["url"] is None


@pytest.mark.model
def test_matcher_does_not_search_again_for_the_same_claim(store, encoder, monkeypatch):
    table = b'claim,verdict\n"Police detained 32 people in Minsk on Saturday after the vote.",False\n'
    import_table(store, "earlier.csv", table)
    matcher = factchecks.Matcher.from_store(store, encoder)
    first = matcher.match("Police detained 32 people in Minsk on Saturday.")
    monkeypatch.setattr(matcher, "_candidates", lambda *args: pytest.fail("searched the library again"))
    again = matcher.match("Police detained 32 people in Minsk on Saturday.")
    assert [(m.factcheck.id, m.combined, m.tier) for m in again] == [(m.factcheck.id, m.combined, m.tier) for m in first]


@pytest.mark.model
def test_verdicts_on_sibling_claims_of_the_same_article_are_not_earlier_fact_checks(store, encoder):
    text = "The regional hospital closed its maternity ward in March after losing eleven midwives."
    first = add_claim(store, text)
    article = store.query_one("SELECT article_id FROM claims WHERE id = ?", (first,))[0]
    sibling = store.query_one(
        "INSERT INTO claims (article_id, position, text, score, claim_type) VALUES (?, 1, ?, 0.9, 'event') RETURNING id",
        (article, "Reports say the regional hospital closed its maternity ward in March after losing midwives."),
    )[0]
    actions.set_verdict(store, ANN, first, "disputed", "the ward is open")
    matcher = factchecks.Matcher.from_store(store, encoder)
    assert factchecks.matches_for_claim(store, matcher, sibling) == []
    elsewhere = add_claim(store, "Reports say the regional hospital closed its maternity ward in March after losing midwives!")
    assert [m.factcheck.claim_id for m in factchecks.matches_for_claim(store, matcher, elsewhere)] == [first]

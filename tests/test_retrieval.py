import shutil

import numpy as np
import pytest

from checks import actions, corpus, retrieval
from checks.actions import Actor
from checks.embedding import cached_embeddings
from checks.errors import ConfigurationError
from checks.ingest import ArticleDraft
from checks.signals import candidate_signals, compare_numbers

ANN = Actor("Ann")


def test_bm25_prefers_documents_with_rare_query_terms():
    bm25 = retrieval.BM25(["Minsk protesters detained", "weather in London today", "protesters marched"])
    scores = bm25.scores("How many protesters were detained in Minsk?")
    assert scores.argmax() == 0 and scores[1] == 0.0
    assert retrieval.tokenize("Protesters' rallies") == ["protester", "rally"]


def test_bm25_index_on_disk_keeps_its_parameters_and_refuses_others(tmp_path):
    texts = ["Minsk protesters detained", "protesters marched through Minsk, protesters sang, police watched", "London weather"]
    query = "protesters detained in Minsk"
    built = retrieval.BM25(texts, k1=1.2, b=0.75)
    built.save(tmp_path)
    loaded = retrieval.BM25.load(tmp_path, k1=1.2, b=0.75)
    assert (loaded.k1, loaded.b) == (1.2, 0.75)
    assert np.array_equal(loaded.scores(query), built.scores(query))
    # The weights bake the parameters in: read as the defaults, they would give other scores.
    assert not np.allclose(loaded.scores(query), retrieval.BM25(texts).scores(query))
    with pytest.raises(ConfigurationError, match=r"built with format=3, k1=1\.2, b=0\.75, not format=3, k1=0\.9, b=0\.4"):
        retrieval.BM25.load(tmp_path)
    # An index written before the parameters were stored is refused, not read with guessed ones.
    (tmp_path / "bm25_parameters.json").unlink()
    with pytest.raises(ConfigurationError, match="format=unknown, k1=unknown"):
        retrieval.BM25.load(tmp_path, k1=1.2, b=0.75)


def test_corpus_key_changes_with_the_bm25_parameters(store, monkeypatch):
    key = retrieval.corpus_key(store, "model")
    monkeypatch.setattr(retrieval, "BM25_B", 0.75)
    assert retrieval.corpus_key(store, "model") != key  # stored candidate lists go stale with the index


def test_convex_fusion_combines_both_rankers_and_rrf_is_available():
    dense = np.array([0.9, 0.2, 0.5, 0.1])
    lexical = np.array([0.0, 9.0, 8.0, 0.0])
    hits = retrieval.fuse(dense, lexical, k=3, pool=3)
    assert [h.row for h in hits] == [2, 0, 1]  # agreed-on row 2 beats each ranker's favourite
    assert hits[0].dense_rank == 2 and hits[0].lexical_rank == 2
    assert [h.row for h in retrieval.fuse(dense, lexical, k=1, pool=2, method="rrf")] == [2]


def test_passages_keep_offsets_and_overlap():
    body = "Title line\n\nOne went. Two came. Three sat. Four ran. Five hid.\n\nSecond paragraph here."
    passages = corpus.split_passages(body, title="Title line")
    assert [p[0] for p in passages] == [
        "One went. Two came. Three sat.",
        "Three sat. Four ran. Five hid.",
        "Second paragraph here.",
    ]
    assert all(body[start:end] == text for text, start, end in passages)


def test_reimport_does_not_duplicate(store):
    draft = ArticleDraft("Wire", "Police detained 32 people.", url="https://apnews.com/a", domain="apnews.com")
    assert actions.import_evidence(store, ANN, [draft], "t").documents == 1
    again = actions.import_evidence(store, ANN, [ArticleDraft("Copy", "police  detained 32 PEOPLE.")], "t")
    assert (again.documents, again.duplicates) == (0, 1)
    assert corpus.corpus_size(store) == (1, 1)


def test_signals_flag_mismatch_near_copy_and_self_citation():
    shared, mismatched = compare_numbers("In total, 32 people were detained.", "About 700 people were detained on Sunday.")
    assert shared == [] and mismatched == ["claim 32 people vs passage 700 people"]
    assert compare_numbers("32 people were detained", "32 people held")[0] == ["32 people"]
    candidates = [
        {"passage_id": 1, "text": "The ministry said 32 people were detained on Saturday.", "domain": "apnews.com"},
        {
            "passage_id": 2,
            "text": "The ministry said 32 people were detained on Saturday, AP reported.",
            "domain": "washingtonpost.com",
        },
        {"passage_id": 3, "text": "Crowds filled Minsk. Police held 32 people.", "domain": "express.co.uk"},
    ]
    found = candidate_signals("Police detained 32 people in Minsk.", "express.co.uk", candidates)
    assert found[1].near_copy_of == 1 and found[0].near_copy_of is None
    assert found[2].self_citation and not found[0].self_citation
    start, end = found[2].best_sentence
    assert candidates[2]["text"][start:end] == "Police held 32 people."


@pytest.mark.model
def test_embeddings_are_cached_and_only_new_texts_are_encoded(store, encoder, monkeypatch):
    first = cached_embeddings(store, encoder, ["Minsk rally", "Police detained 32 people"])
    assert first.shape == (2, encoder.dimension)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-4)
    encoded = []
    original = encoder.encode
    monkeypatch.setattr(encoder, "encode", lambda texts, **kw: encoded.append(list(texts)) or original(texts, **kw))
    again = cached_embeddings(store, encoder, ["Police detained 32 people", "New text about Raab"])
    assert encoded == [["New text about Raab"]]
    assert np.allclose(again[0], first[1])


@pytest.mark.model
def test_demo_corpus_ranks_relevant_evidence_first(workbench, seed_text):
    from checks.ingest import parse_text

    result = actions.ingest_article(workbench.store, ANN, parse_text(seed_text), encoder=workbench.encoder)
    claim = workbench.store.query_one(
        "SELECT id FROM claims WHERE article_id = ? AND text LIKE '%32 people were detained%'", (result.article_id,)
    )[0]
    candidates = workbench.candidates(claim)
    assert len(candidates) == 10
    assert "detained" in candidates[0].text and candidates[0].dense > 0.4
    assert candidates[0].fused >= candidates[-1].fused
    assert all(c.rating.domain == c.domain for c in candidates)
    # Stored: a second call reads the list back instead of querying the index again.
    workbench._index = None
    assert [c.passage_id for c in workbench.candidates(claim)] == [c.passage_id for c in candidates]
    assert workbench._index is not None  # the corpus key was checked, the list itself came from the store


def test_unknown_model_setting_fails_with_a_clear_message(tmp_path):
    from checks.embedding import Encoder, ModelNotFoundError

    with pytest.raises(ModelNotFoundError, match="WORKBENCH_MODEL"):
        Encoder(str(tmp_path / "no-such-model"))
    with pytest.raises(ModelNotFoundError, match="neither a model folder nor a model already cached"):
        Encoder("some-org/not-downloaded-model")


@pytest.mark.model
def test_index_is_reloaded_from_disk_until_the_corpus_changes(workbench, monkeypatch):
    first = workbench.index()
    query = "How many people were detained in Minsk?"
    vector = workbench.encoder.encode([query])[0]
    expected = [pid for pid, _ in first.search(query, vector)]
    workbench._index = None
    monkeypatch.setattr(retrieval.BM25, "__init__", lambda *a, **k: pytest.fail("BM25 rebuilt although the corpus is unchanged"))
    reloaded = workbench.index()
    assert [pid for pid, _ in reloaded.search(query, vector)] == expected
    monkeypatch.undo()
    actions.import_evidence(workbench.store, ANN, [ArticleDraft("New", "A new passage about 32 detained people in Minsk.")], "t")
    assert len(workbench.index()) == len(first) + 1


def test_bm25_extended_equals_a_build_over_all_texts_and_leaves_the_original(tmp_path):
    first = ["Minsk protesters detained", "protesters marched through Minsk, protesters sang", "London weather"]
    more = ["Police detained 32 people in Minsk", "Heavy rain in London and Minsk"]
    base = retrieval.BM25(first)
    grown = base.extended(more)
    whole = retrieval.BM25(first + more)
    assert grown.vocabulary == whole.vocabulary
    assert np.allclose(grown.matrix.toarray(), whole.matrix.toarray())
    assert base.matrix.shape[0] == 3 and np.allclose(base.matrix.toarray(), retrieval.BM25(first).matrix.toarray())
    base.save(tmp_path)
    with pytest.raises(ValueError):  # read from disk: no term counts to extend
        retrieval.BM25.load(tmp_path).extended(more)


@pytest.mark.model
def test_adding_passages_tokenises_only_them_and_matches_a_full_rebuild(workbench, monkeypatch):
    before = workbench.index()
    assert before.bm25.extendable  # built here on first use of the fresh corpus
    tokenised = []
    original = retrieval.tokenize
    monkeypatch.setattr(retrieval, "tokenize", lambda text: tokenised.append(text) or original(text))
    actions.import_evidence(workbench.store, ANN, [ArticleDraft("Crane", "The Tallinn crane lifted 85 tonnes on Monday.")], "t")
    grown = workbench.index()
    assert len(grown) == len(before) + 1 and len(tokenised) == 1
    monkeypatch.undo()
    workbench._index = None
    for folder in workbench.settings.index_dir.iterdir():  # no on-disk copy: a true rebuild from every passage
        shutil.rmtree(folder)
    rebuilt = workbench.index()
    assert np.array_equal(rebuilt.passage_ids, grown.passage_ids)
    assert np.allclose(np.asarray(rebuilt.vectors), np.asarray(grown.vectors))
    assert np.allclose(rebuilt.bm25.matrix.toarray(), grown.bm25.matrix.toarray())
    actions.delete_document(workbench.store, ANN, int(workbench.store.query_one("SELECT MAX(id) FROM documents")[0]))
    assert np.array_equal(workbench.index().passage_ids, before.passage_ids)  # a delete rebuilds without it

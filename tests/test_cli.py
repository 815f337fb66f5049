import csv
import io

import pytest

from checks.cli import main
from tests.conftest import SEED_ARTICLE


@pytest.mark.model
def test_scripted_review_loop(tmp_path, data_dir, capsys):
    if not SEED_ARTICLE.exists():
        pytest.skip("seed article not present beside the project")
    data = ["--data-dir", str(data_dir), "--as", "Ann"]
    assert main([*data, "ingest", str(SEED_ARTICLE)]) == 0
    assert "added" in capsys.readouterr().out
    assert main([*data, "ingest", str(SEED_ARTICLE)]) == 0
    assert "already stored" in capsys.readouterr().out
    assert main([*data, "claims", "1", "--by-score"]) == 0
    listing = capsys.readouterr().out.splitlines()
    claim_id = next(line.split()[0] for line in listing if "32 people were detained" in line)
    assert main([*data, "index"]) == 0
    assert main([*data, "candidates", claim_id]) == 0
    shown = capsys.readouterr().out
    assert "#1 fused" in shown and "dense" in shown
    passage = shown.split("passage ")[1].split()[0]
    capsys.readouterr()
    assert main([*data, "verdict", claim_id, "disputed"]) == 1  # no rationale
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "rationale" in error and error.count("\n") == 1
    assert main([*data, "verdict", claim_id, "verified", "--supports", passage]) == 0
    out = tmp_path / "verdicts.csv"
    assert main([*data, "export", "--output", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [(r["claim_id"], r["verdict"], r["reviewer"], r["article_domain"]) for r in rows] == [
        (claim_id, "verified", "Ann", "express.co.uk")
    ]
    assert rows[0]["cited_evidence_urls"].startswith("https://")


def test_ingest_reports_bad_files(tmp_path, data_dir, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert main(["--data-dir", str(data_dir), "ingest", str(empty)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "empty" in error


@pytest.mark.model
def test_factcheck_commands(tmp_path, data_dir, capsys):
    data = ["--data-dir", str(data_dir), "--reviewer", "Ann"]
    article = tmp_path / "article.txt"
    article.write_text("Minsk report\n\nPolice detained 32 people in Minsk on Saturday after the vote.\n", encoding="utf-8")
    library = tmp_path / "earlier.csv"
    library.write_text(
        "claim,verdict,url,date,publisher\n"
        '"Police detained 32 people in Minsk on Saturday after the vote.",True,https://checks.example.org/1,2026-10-01,Checkers\n',
        encoding="utf-8",
    )
    assert main([*data, "ingest", str(article)]) == 0
    assert main([*data, "factchecks", "import", str(library)]) == 0
    assert "1 fact-checks imported" in capsys.readouterr().out
    assert main([*data, "factchecks", "match", "2"]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("[same claim]") and "True → verified" in shown
    factcheck_id = shown.split("fact-check ")[1].split(",")[0]
    assert main([*data, "factchecks", "reuse", "2", factcheck_id]) == 0
    assert main([*data, "export", "--format", "json"]) == 0
    assert '"verdict": "verified"' in capsys.readouterr().out
    assert main([*data, "factchecks", "reuse", "2", "999"]) == 1


def test_the_cli_acts_only_as_a_known_active_account(tmp_path, data_dir, capsys):
    data = ["--data-dir", str(data_dir)]
    assert main([*data, "--as", "Mallory", "agreement"]) == 1
    assert "No account named Mallory" in capsys.readouterr().err
    assert main([*data, "--as", "Rita", "bulk-verdict", "verified", "1"]) == 1
    assert "Rita is a reviewer; 'bulk-verdict' needs the editor role" in capsys.readouterr().err
    assert main([*data, "--as", "Rita", "export"]) == 1
    assert "needs the editor role" in capsys.readouterr().err
    assert main([*data, "--as", "admin", "users", "disable", "Bob"]) == 0
    capsys.readouterr()
    assert main([*data, "--as", "Bob", "agreement"]) == 1
    assert "disabled" in capsys.readouterr().err


def test_first_cli_start_creates_the_admin_with_a_one_time_password(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path / "fresh"), "users", "list"]) == 0
    captured = capsys.readouterr()
    assert "Created the first admin account: admin, one-time password" in captured.err
    assert captured.out.split() == ["admin", "admin", "active"]
    assert main(["--data-dir", str(tmp_path / "fresh"), "users", "list"]) == 0
    assert "Created" not in capsys.readouterr().err  # only once


"""Command line: the scripted twin of every UI action (``python -m checks --help``)."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from checks import articles, corpus, export, factchecks, review, sources
from checks.config import load_settings
from checks.ingest import IngestError, fetch_url, parse_text, parse_upload
from checks.service import Workbench


def _progress(label: str):
    def report(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")

    return report


def cmd_ingest(wb: Workbench, args: argparse.Namespace) -> int:
    status = 0
    drafts = []
    for target in args.inputs:
        try:
            if target.startswith(("http://", "https://")):
                drafts.append(fetch_url(target, timeout=args.timeout))
            elif target == "-":
                drafts.append(parse_text(sys.stdin.read(), origin="stdin"))
            else:
                batch = parse_upload(Path(target).name, Path(target).read_bytes())
                for problem in batch.problems:
                    print(f"skipped: {problem}", file=sys.stderr)
                drafts.extend(batch.drafts)
        except (IngestError, OSError) as error:
            print(f"error: {error}", file=sys.stderr)
            status = 1
    for draft in drafts:
        result = wb.ingest(draft, reviewer=args.reviewer)
        state = "added" if result.created else "already stored"
        print(
            f"article {result.article_id} ({state}): {draft.title[:70]!r} [{draft.domain or 'no domain'}] {result.claims} claims"
        )
    return status


def cmd_claims(wb: Workbench, args: argparse.Namespace) -> int:
    claims = articles.article_claims(wb.store, args.article)
    if args.by_score:
        claims.sort(key=lambda c: -c["score"])
    for claim in claims:
        print(f"{claim['id']:>5}  {claim['score']:.2f}  {claim['claim_type']:<11} {claim['verdict'] or '-':<11} {claim['text']}")
        if args.reasons:
            print("       " + "; ".join(claim["reasons"]))
    return 0


def cmd_import_evidence(wb: Workbench, args: argparse.Namespace) -> int:
    total = corpus.ImportResult()
    for target in args.paths:
        path = Path(target)
        part = (
            corpus.import_folder(wb.store, path, args.reviewer, _progress("importing"))
            if path.is_dir()
            else corpus.import_file(wb.store, path.name, path.read_bytes(), args.reviewer)
        )
        total.documents += part.documents
        total.passages += part.passages
        total.duplicates += part.duplicates
        total.problems += part.problems
    print(total.summary())
    return 1 if total.problems and not total.documents else 0


def cmd_index(wb: Workbench, args: argparse.Namespace) -> int:
    wb.seed_demo_data()
    index = wb.index(progress=_progress("embedding passages"))
    print(f"index ready: {len(index)} passages, model {wb.encoder.model_id}")
    claim_ids = [r["id"] for r in wb.store.query("SELECT id FROM claims WHERE dropped = 0")]
    ranked = wb.rank(claim_ids, progress=_progress("ranking claims"))
    print(f"candidates stored for {ranked} claims ({len(claim_ids) - ranked} already up to date)")
    return 0


def cmd_candidates(wb: Workbench, args: argparse.Namespace) -> int:
    for candidate in wb.candidates(args.claim):
        flags = []
        if candidate.signals.mismatched_numbers:
            flags.append("MISMATCH " + "; ".join(candidate.signals.mismatched_numbers))
        if candidate.signals.near_copy_of:
            flags.append(f"near-copy of passage {candidate.signals.near_copy_of}")
        if candidate.signals.self_citation:
            flags.append("same outlet as article")
        print(
            f"#{candidate.rank} fused {candidate.fused:.2f} dense {candidate.dense:.2f} bm25 {candidate.lexical:.1f} "
            f"{candidate.domain} [{candidate.rating.badge()}] passage {candidate.passage_id}"
        )
        print(f"   {candidate.text}")
        if flags:
            print("   " + " | ".join(flags))
    return 0


def cmd_verdict(wb: Workbench, args: argparse.Namespace) -> int:
    try:
        for passage_id in args.supports or []:
            review.mark_passage(wb.store, args.claim, passage_id, "supports", args.reviewer)
        for passage_id in args.contradicts or []:
            review.mark_passage(wb.store, args.claim, passage_id, "contradicts", args.reviewer)
        version = review.set_verdict(wb.store, args.claim, args.verdict, args.reviewer, args.rationale or "")
    except review.ReviewError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"claim {args.claim}: {args.verdict} (version {version})")
    return 0


def cmd_export(wb: Workbench, args: argparse.Namespace) -> int:
    records = export.verdict_records(
        wb.store, export.ExportFilter(args.article, args.reviewer, args.verdict, args.since, args.until)
    )
    writer = {"csv": export.to_csv, "json": export.to_json, "claimreview": export.to_claimreview}[args.format]
    data = writer(records)
    if args.output == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(args.output).write_bytes(data)
        print(f"{len(records)} verdicts written to {args.output}", file=sys.stderr)
    return 0


def cmd_import_verdicts(wb: Workbench, args: argparse.Namespace) -> int:
    report = export.import_csv(wb.store, Path(args.path).read_bytes(), args.reviewer)
    print(report.summary())
    return 1 if report.skipped and not (report.imported or report.updated) else 0


def cmd_assign(wb: Workbench, args: argparse.Namespace) -> int:
    try:
        review.assign(wb.store, args.article, args.to, args.reviewer, second_reviewer=args.second, double=bool(args.second))
    except review.ReviewError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    mode = f"blind double review by {args.to} and {args.second}" if args.second else f"review by {args.to}"
    print(f"article {args.article}: {mode}")
    return 0


def cmd_agreement(wb: Workbench, args: argparse.Namespace) -> int:
    pairs, kappa = review.agreement(wb.store, args.article)
    print(f"{pairs} double-reviewed claims; Cohen's kappa {'n/a' if kappa is None else f'{kappa:.2f}'}")
    for item in review.adjudication_queue(wb.store):
        print(f"to adjudicate: claim {item['claim_id']} ({item['verdicts']}): {item['text'][:90]}")
    return 0


def cmd_factchecks(wb: Workbench, args: argparse.Namespace) -> int:
    try:
        if args.action == "import":
            for target in args.targets:
                path = Path(target)
                data = path.read_bytes()
                if path.suffix.lower() in (".json", ".jsonld"):
                    report = factchecks.import_claimreview(wb.store, data, args.collection or "claimreview", args.reviewer)
                else:
                    report = factchecks.import_table(wb.store, path.name, data, args.collection, args.reviewer)
                print(f"{path.name}: {report.summary()}")
        elif args.action == "match":
            for match in wb.earlier_factchecks(int(args.targets[0]), k=args.k):
                fact = match.factcheck
                mapped = fact.workbench_verdict or "not reusable"
                print(
                    f"[{match.tier}] {match.combined:.2f} (dense {match.dense:.2f} / bm25 {match.lexical:.2f} / fuzzy "
                    f"{match.fuzzy:.2f}) fact-check {fact.id}, {fact.publisher or fact.collection}, "
                    f"{fact.published or 'undated'}: {fact.verdict} → {mapped}"
                )
                print(f"   {fact.claim}")
                for line in ([fact.url] if fact.url else []) + match.reasons + ([match.rationale] if match.rationale else []):
                    print(f"   {line}")
        elif args.action == "reuse":
            version = factchecks.reuse_verdict(wb.store, int(args.targets[0]), int(args.targets[1]), args.reviewer)
            print(f"claim {args.targets[0]}: earlier verdict reused (version {version})")
        else:
            factchecks.dismiss(wb.store, int(args.targets[0]), int(args.targets[1]), args.reviewer)
            print(f"claim {args.targets[0]}: fact-check {args.targets[1]} dismissed")
    except (factchecks.FactCheckError, review.ReviewError, OSError, ValueError, IndexError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def cmd_sources(wb: Workbench, args: argparse.Namespace) -> int:
    if args.action == "import-lin2023":
        report = sources.import_lin2023(wb.store, Path(args.path), args.reviewer)
    elif args.action == "import-unreliable":
        report = sources.import_unreliable_list(wb.store, Path(args.path), reviewer=args.reviewer)
    else:
        rating = sources.lookup(wb.store, args.path)
        print(f"{rating.domain}: {rating.badge()} ({rating.rater or 'no rater'}, as of {rating.as_of or '-'})")
        record = sources.track_record(wb.store, args.path)
        if record.total:
            print(
                f"track record: {record.verified} verified, {record.disputed} disputed, "
                f"{record.unsupported} unsupported; smoothed {record.score:.2f}"
            )
        return 0
    print(report.summary())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m checks", description="Fact-check workbench command line.")
    parser.add_argument("--data-dir", help="folder of the database and index (default: WORKBENCH_DATA_DIR or ./var)")
    parser.add_argument("--model", help="local sentence-transformers folder (default: packaged all-MiniLM-L6-v2)")
    parser.add_argument("--reviewer", default="cli", help="name recorded in the audit log")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="load articles: files (txt/md/html/json/jsonl/csv), URLs or - for stdin")
    ingest.add_argument("inputs", nargs="+")
    ingest.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for a URL")
    ingest.set_defaults(run=cmd_ingest)

    claims = commands.add_parser("claims", help="list an article's claims with scores")
    claims.add_argument("article", type=int)
    claims.add_argument("--by-score", action="store_true", help="most check-worthy first")
    claims.add_argument("--reasons", action="store_true", help="show why each claim scored as it did")
    claims.set_defaults(run=cmd_claims)

    evidence = commands.add_parser("import-evidence", help="add evidence files or folders to the corpus")
    evidence.add_argument("paths", nargs="+")
    evidence.set_defaults(run=cmd_import_evidence)

    index = commands.add_parser("index", help="embed new passages and rank candidates for every claim")
    index.set_defaults(run=cmd_index)

    candidates = commands.add_parser("candidates", help="show a claim's ranked evidence")
    candidates.add_argument("claim", type=int)
    candidates.set_defaults(run=cmd_candidates)

    verdict = commands.add_parser("verdict", help="record a verdict for a claim")
    verdict.add_argument("claim", type=int)
    verdict.add_argument("verdict", choices=review.VERDICTS)
    verdict.add_argument("--rationale", help="required for disputed and unsupported")
    verdict.add_argument("--supports", type=int, nargs="*", help="passage ids that support the claim")
    verdict.add_argument("--contradicts", type=int, nargs="*", help="passage ids that contradict it")
    verdict.set_defaults(run=cmd_verdict)

    out = commands.add_parser("export", help="write verdicts as CSV, JSON or ClaimReview JSON-LD")
    out.add_argument("--format", choices=("csv", "json", "claimreview"), default="csv")
    out.add_argument("--output", "-o", default="-", help="file to write (default: stdout)")
    out.add_argument("--article", type=int)
    out.add_argument("--verdict", choices=review.VERDICTS)
    out.add_argument("--since", help="YYYY-MM-DD")
    out.add_argument("--until", help="YYYY-MM-DD")
    out.add_argument("--by", dest="reviewer", help="only this reviewer's verdicts")
    out.set_defaults(run=cmd_export)

    verdicts_in = commands.add_parser("import-verdicts", help="read a verdicts CSV (as exported) back in")
    verdicts_in.add_argument("path")
    verdicts_in.set_defaults(run=cmd_import_verdicts)

    assign = commands.add_parser("assign", help="assign an article to a reviewer (two for blind double review)")
    assign.add_argument("article", type=int)
    assign.add_argument("--to", required=True, help="reviewer")
    assign.add_argument("--second", help="second blind reviewer: turns on double review")
    assign.set_defaults(run=cmd_assign)

    agree = commands.add_parser("agreement", help="Cohen's kappa of double review and the adjudication queue")
    agree.add_argument("--article", type=int, help="one batch (article) only")
    agree.set_defaults(run=cmd_agreement)

    library = commands.add_parser("factchecks", help="earlier fact-checks: import a collection, match, reuse, dismiss")
    library.add_argument("action", choices=("import", "match", "reuse", "dismiss"))
    library.add_argument(
        "targets", nargs="+", help="import: files (csv/tsv or ClaimReview json); match: CLAIM; reuse/dismiss: CLAIM FACTCHECK"
    )
    library.add_argument("--collection", help="collection name for imported rows (default: from the file)")
    library.add_argument("-k", type=int, default=5, help="matches to show")
    library.set_defaults(run=cmd_factchecks)

    src = commands.add_parser("sources", help="import ratings or look up a domain")
    src.add_argument("action", choices=("import-lin2023", "import-unreliable", "show"))
    src.add_argument("path", help="ratings file, or a domain/URL for show")
    src.set_defaults(run=cmd_sources)
    return parser


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `… | head` ends quietly
    args = build_parser().parse_args(argv)
    workbench = Workbench(load_settings(args.data_dir, args.model))
    workbench.seed_demo_data()
    return int(args.run(workbench, args) or 0)

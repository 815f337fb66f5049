"""Command line: the scripted twin of every action (``python -m checks --help``).

Each state-changing command is one call into ``checks.actions`` under the ``--as`` name; read
commands print what the review screen shows. Every user mistake ends in one line on stderr
(``error: …``) and exit status 1; ``--json`` prints results for scripts.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import Any

from checks import accounts, actions, articles, corpus, export, review, sources
from checks.actions import Actor
from checks.config import load_settings
from checks.errors import ConfigurationError, InputError, NotFoundError, WorkbenchError
from checks.ingest import fetch_url, parse_text, parse_upload
from checks.service import Workbench
from checks.vocab import Mark, Role, Verdict


def _progress(label: str) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / max(total, 1))
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")

    return report


def read_file(path: str) -> bytes:
    """A file's bytes, or one clear error line."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file.") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a file.") from None
    except OSError as error:
        raise InputError(f"{path}: {error.strerror or error}.") from None


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    return value


class Output:
    """Where results go: readable lines, or one JSON document for ``--json``."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.items: list[Any] = []

    def result(self, value: Any, text: str | None = None) -> None:
        if self.as_json:
            self.items.append(_plain(value))
        else:
            print(text if text is not None else getattr(value, "message", str(value)))

    def close(self) -> None:
        if self.as_json:
            print(json.dumps(self.items[0] if len(self.items) == 1 else self.items, ensure_ascii=False, indent=2, default=str))


# ------------------------------------------------------------------------------ state changes


def cmd_ingest(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    status = 0
    for target in args.inputs:
        try:
            if target.startswith(("http://", "https://")):
                drafts = [fetch_url(target, timeout=args.timeout)]
            elif target == "-":
                drafts = [parse_text(sys.stdin.read(), origin="stdin")]
            else:
                batch = parse_upload(Path(target).name, read_file(target))
                for problem in batch.problems:
                    print(f"skipped: {problem}", file=sys.stderr)
                drafts = batch.drafts
        except WorkbenchError as error:
            print(f"error: {error}", file=sys.stderr)
            status = 1
            continue
        for draft in drafts:
            result = actions.ingest_article(wb.store, actor, draft, encoder=wb.encoder)
            out.result(result, f"{result.message}: {draft.title[:70]!r} [{draft.domain or 'no domain'}]")
    return status


def cmd_verdict(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    for passage_id in args.supports or []:
        actions.mark_passage(wb.store, actor, args.claim, passage_id, Mark.SUPPORTS)
    for passage_id in args.contradicts or []:
        actions.mark_passage(wb.store, actor, args.claim, passage_id, Mark.CONTRADICTS)
    out.result(actions.set_verdict(wb.store, actor, args.claim, args.verdict, args.rationale or "", args.expected_version))
    return 0


def cmd_clear_verdict(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    out.result(actions.clear_verdict(wb.store, actor, args.claim))
    return 0


def cmd_bulk_verdict(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    out.result(actions.bulk_verdict(wb.store, actor, args.claims, args.verdict, args.rationale or ""))
    return 0


def cmd_mark(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    out.result(actions.mark_passage(wb.store, actor, args.claim, args.passage, None if args.mark == "none" else args.mark))
    return 0


def cmd_blind_verdict(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    out.result(actions.submit_blind(wb.store, actor, args.claim, args.verdict, args.rationale or ""))
    return 0


def cmd_adjudicate(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    out.result(actions.adjudicate(wb.store, actor, args.claim, args.verdict, args.rationale or ""))
    return 0


def cmd_apply_to_appearances(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    out.result(actions.apply_to_appearances(wb.store, actor, args.claim))
    return 0


def cmd_assign(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    out.result(actions.assign(wb.store, actor, args.article, args.to, args.second))
    return 0


def cmd_undo(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    out.result(actions.undo(wb.store, actor, args.change))
    return 0


def cmd_claim(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    run = {
        "edit": lambda: actions.edit_claim(wb.store, actor, args.claim, args.text),
        "drop": lambda: actions.drop_claim(wb.store, actor, args.claim),
        "restore": lambda: actions.restore_claim(wb.store, actor, args.claim),
        "add": lambda: actions.add_claim(wb.store, actor, args.article, args.text),
        "split": lambda: actions.split_claim(wb.store, actor, args.claim, args.at),
        "merge": lambda: actions.merge_claims(wb.store, actor, args.claim, args.other),
    }[args.claim_action]
    out.result(run())
    return 0


def cmd_import_evidence(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    result = actions.import_evidence_paths(wb.store, actor, map(Path, args.paths), _progress("importing"))
    out.result(result)
    return 1 if result.problems and not result.documents else 0


def cmd_search(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    result = actions.search_for_evidence(wb.store, actor, args.claim, args.query)
    out.result(result)
    return 0


def cmd_corpus(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    if args.corpus_action == "list":
        for row in corpus.list_documents(wb.store, args.search or "", args.limit):
            origin = "demo" if row["is_demo"] else row["origin"] or ""
            out.result(
                row,
                f"{row['id']:>6}  {row['passages']:>4} passages  {row['published'] or 'undated':<10}  "
                f"{row['domain'] or '-':<24}  {origin:<20}  {row['title'] or ''}",
            )
        return 0
    if args.corpus_action == "add-articles":
        out.result(actions.add_articles_to_corpus(wb.store, actor, args.articles))
        return 0
    if args.corpus_action == "delete":
        result = actions.delete_document(wb.store, actor, args.document)
    else:
        result = actions.remove_demo_data(wb.store, actor)
    out.result(result)
    return 0


def cmd_import_verdicts(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    report = actions.import_verdicts(wb.store, actor, read_file(args.path))
    out.result(report, report.summary())
    return 1 if report.skipped and not (report.imported or report.updated) else 0


def cmd_factchecks(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    if args.action == "import":
        for target in args.targets:
            report = actions.import_factchecks(wb.store, actor, Path(target).name, read_file(target), args.collection)
            out.result(report, f"{Path(target).name}: {report.summary()}")
        return 0
    claim_id = _int(args.targets[0], "claim id")
    if args.action == "match":
        for match in wb.earlier_factchecks(claim_id, k=args.k):
            fact = match.factcheck
            out.result(
                match,
                f"[{match.tier}] {match.combined:.2f} (dense {match.dense:.2f} / bm25 {match.lexical:.2f} / fuzzy "
                f"{match.fuzzy:.2f}) fact-check {fact.id}, {fact.publisher or fact.collection}, "
                f"{fact.published or 'undated'}: {fact.verdict} → {fact.workbench_verdict or 'not reusable'}\n   {fact.claim}"
                + "".join(f"\n   {line}" for line in ([fact.url] if fact.url else []) + match.reasons),
            )
        return 0
    if len(args.targets) != 2:
        raise InputError(f"factchecks {args.action} takes CLAIM FACTCHECK.")
    factcheck_id = _int(args.targets[1], "fact-check id")
    if args.action == "reuse":
        out.result(actions.reuse_factcheck(wb.store, actor, claim_id, factcheck_id))
    else:
        out.result(actions.dismiss_factcheck(wb.store, actor, claim_id, factcheck_id))
    return 0


def cmd_sources(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    if args.action in ("import-lin2023", "import-unreliable"):
        importer = actions.import_lin2023 if args.action == "import-lin2023" else actions.import_unreliable_list
        report = importer(
            wb.store,
            actor,
            read_file(args.target),
            version=args.version,
            as_of=args.as_of,
            replace=args.replace,
            file_name=Path(args.target).name,
        )
        # Collisions and kept overrides in full (nothing is overwritten silently); changes up to 20.
        lines = [line for line in report.details() if not line.startswith("changed: ")]
        changed = [line for line in report.details() if line.startswith("changed: ")]
        more = [f"… and {len(changed) - 20} more changes (--json lists all)"] if len(changed) > 20 else []
        out.result(report, "\n".join([report.summary(), *lines, *changed[:20], *more]))
    elif args.action == "override":
        rating = actions.override_rating(wb.store, actor, args.target, args.rating, args.reason or "", args.label)
        out.result(rating, f"{rating.key}: {rating.badge()} (override by {actor.name})")
    else:
        rating = sources.lookup(wb.store, args.target)
        record = sources.track_record(wb.store, args.target)
        text = [f"{rating.key or rating.looked_up or args.target}: {rating.badge()}", *sources.provenance(rating)]
        text.append(f"track record here: {record.summary()}")
        out.result({"rating": rating, "track_record": record}, "\n".join(text))
    return 0


def cmd_users(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    if args.users_action == "list":
        for account in accounts.list_accounts(wb.store):
            state = "disabled" if account.disabled else "active"
            out.result(account, f"{account.name:<20} {account.role:<9} {state:<8} {account.identity or ''}")
        return 0
    if args.users_action == "add":
        password = _read_secret("password") if args.password_stdin else None
        out.result(actions.add_account(wb.store, actor, args.name, args.role, password=password, identity=args.identity))
    elif args.users_action == "role":
        out.result(actions.set_role(wb.store, actor, args.name, args.role))
    elif args.users_action == "disable":
        out.result(actions.disable_account(wb.store, actor, args.name))
    elif args.users_action == "enable":
        out.result(actions.enable_account(wb.store, actor, args.name))
    elif args.users_action == "reset-password":
        out.result(actions.reset_password(wb.store, actor, args.name))
    else:
        current, new = _read_secret("current password"), _read_secret("new password")
        out.result(actions.change_password(wb.store, actor, current, new), f"password changed for {actor.name}")
    return 0


def _read_secret(what: str) -> str:
    """One line from standard input (a terminal prompts without echo)."""
    if sys.stdin.isatty():
        return getpass.getpass(f"{what}: ")
    line = sys.stdin.readline()
    if not line:
        raise InputError(f"Expected the {what} on standard input.")
    return line.rstrip("\n")


# -------------------------------------------------------------------------------------- reads


def cmd_claims(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    if articles.get_article(wb.store, args.article) is None:
        raise NotFoundError(f"Article {args.article} does not exist.")
    claims = articles.article_claims(wb.store, args.article, include_dropped=args.all)
    if args.by_score:
        claims.sort(key=lambda c: -c["score"])
    for claim in claims:
        text = f"{claim['id']:>5}  {claim['score']:.2f}  {claim['claim_type']:<11} {claim['verdict'] or '-':<11} {claim['text']}"
        if claim["dropped"]:
            text += "  [dropped]"
        if args.reasons:
            text += "\n       " + "; ".join(claim["reasons"])
        out.result(claim, text)
    return 0


def cmd_index(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    index = wb.index(progress=_progress("embedding passages"))
    claim_ids = articles.active_claim_ids(wb.store)
    ranked = wb.rank(claim_ids, progress=_progress("ranking claims"))
    summary = {"passages": len(index), "model": wb.encoder.model_id, "ranked": ranked, "up_to_date": len(claim_ids) - ranked}
    out.result(
        summary,
        f"index ready: {len(index)} passages, model {wb.encoder.model_id}\n"
        f"candidates stored for {ranked} claims ({len(claim_ids) - ranked} already up to date)",
    )
    return 0


def cmd_candidates(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    if articles.get_claim(wb.store, args.claim) is None:
        raise NotFoundError(f"Claim {args.claim} does not exist.")
    for candidate in wb.candidates(args.claim):
        flags = []
        if candidate.signals.mismatched_numbers:
            flags.append("MISMATCH " + "; ".join(candidate.signals.mismatched_numbers))
        if candidate.signals.near_copy_of:
            flags.append(f"near-copy of passage {candidate.signals.near_copy_of}")
        if candidate.signals.self_citation:
            flags.append("same outlet as article")
        out.result(
            candidate,
            f"#{candidate.rank} fused {candidate.fused:.2f} dense {candidate.dense:.2f} bm25 {candidate.lexical:.1f} "
            f"{candidate.domain} [{candidate.rating.badge()}] passage {candidate.passage_id}\n   {candidate.text}"
            + (("\n   " + " | ".join(flags)) if flags else ""),
        )
    return 0


def cmd_history(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    for event in review.history(wb.store, args.claim, viewer=actor.name):
        undone = f" (undone by {event.undone_by})" if event.undone_by else ""
        out.result(
            event, f"{event.id:>6}  {event.at}  {event.actor}: {event.action} {json.dumps(event.new, default=str)}{undone}"
        )
    return 0


def cmd_export(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    actions.authorize(actor, Role.EDITOR, "exporting verdicts")
    records = export.verdict_records(
        wb.store, export.ExportFilter(args.article, args.reviewer, args.verdict, args.since, args.until)
    )
    writer = {"csv": export.to_csv, "json": export.to_json, "claimreview": export.to_claimreview}[args.format]
    data = writer(records)
    if args.output == "-":
        sys.stdout.buffer.write(data)
        return 0
    try:
        Path(args.output).write_bytes(data)
    except OSError as error:
        raise InputError(f"Cannot write {args.output}: {error.strerror or error}.") from None
    print(f"{len(records)} verdicts written to {args.output}", file=sys.stderr)
    return 0


def cmd_agreement(wb: Workbench, actor: Actor, args: argparse.Namespace, out: Output) -> int:
    pairs, kappa = review.agreement(wb.store, args.article)
    queue = review.adjudication_queue(wb.store, viewer=actor.name)
    text = f"{pairs} double-reviewed claims; Cohen's kappa {'n/a' if kappa is None else f'{kappa:.2f}'}"
    text += "".join(f"\nto adjudicate: claim {item['claim_id']} ({item['verdicts']}): {item['text'][:90]}" for item in queue)
    out.result({"pairs": pairs, "kappa": kappa, "to_adjudicate": queue}, text)
    return 0


def _int(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InputError(f"'{value}' is not a {what}.") from None


# ------------------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m checks", description="Fact-check workbench command line.")
    parser.add_argument("--data-dir", help="folder of the database and index (default: WORKBENCH_DATA_DIR or ./var)")
    parser.add_argument("--model", help="local sentence-transformers folder (default: packaged all-MiniLM-L6-v2)")
    parser.add_argument(
        "--as",
        "--reviewer",
        dest="actor",
        default=os.environ.get("WORKBENCH_USER") or accounts.FIRST_ADMIN,
        help="the account you act as (default: WORKBENCH_USER, else admin); changes are recorded under it",
    )
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    # --as and --json may also follow the command (SUPPRESS: absent there, the global value stands).
    anywhere = argparse.ArgumentParser(add_help=False)
    anywhere.add_argument("--as", "--reviewer", dest="actor", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    anywhere.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    def command(name: str, run, help: str, parent=commands) -> argparse.ArgumentParser:
        sub = parent.add_parser(name, help=help, description=help, parents=[anywhere])
        sub.set_defaults(run=run)
        return sub

    verdicts = [str(v) for v in Verdict]

    sub = command("ingest", cmd_ingest, "load articles: files (txt/md/html/json/jsonl/csv), URLs or - for stdin")
    sub.add_argument("inputs", nargs="+")
    sub.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for a URL")

    sub = command("claims", cmd_claims, "list an article's claims with scores")
    sub.add_argument("article", type=int)
    sub.add_argument("--by-score", action="store_true", help="most check-worthy first")
    sub.add_argument("--reasons", action="store_true", help="show why each claim scored as it did")
    sub.add_argument("--all", action="store_true", help="include dropped claims")

    claim = command("claim", cmd_claim, "change an article's claims: edit, drop, restore, add, split, merge")
    claim_actions = claim.add_subparsers(dest="claim_action", required=True, metavar="ACTION")
    sub = claim_actions.add_parser("edit", help="reword a claim", parents=[anywhere])
    sub.add_argument("claim", type=int)
    sub.add_argument("text")
    for name, help in (("drop", "take a claim out of review"), ("restore", "bring a dropped claim back")):
        claim_actions.add_parser(name, help=help, parents=[anywhere]).add_argument("claim", type=int)
    sub = claim_actions.add_parser("add", help="add your own claim to an article", parents=[anywhere])
    sub.add_argument("article", type=int)
    sub.add_argument("text")
    sub = claim_actions.add_parser("split", help="split a claim in two at a character position", parents=[anywhere])
    sub.add_argument("claim", type=int)
    sub.add_argument("--at", type=int, required=True, help="character position in the claim's text")
    sub = claim_actions.add_parser("merge", help="merge the second claim into the first", parents=[anywhere])
    sub.add_argument("claim", type=int)
    sub.add_argument("other", type=int)

    command("import-evidence", cmd_import_evidence, "add evidence files or folders to the corpus").add_argument(
        "paths", nargs="+"
    )
    corpus_command = command("corpus", cmd_corpus, "evidence corpus: list, add ingested articles, delete, remove demo data")
    corpus_actions = corpus_command.add_subparsers(dest="corpus_action", required=True, metavar="ACTION")
    corpus_actions.add_parser(
        "add-articles", help="add ingested articles to the evidence corpus", parents=[anywhere]
    ).add_argument("articles", type=int, nargs="+")
    sub = corpus_actions.add_parser("list", help="list the corpus's documents (demo ones say so)", parents=[anywhere])
    sub.add_argument("--search", help="only documents whose title or text contains this")
    sub.add_argument("--limit", type=int, default=500)
    corpus_actions.add_parser(
        "delete", help="delete a document (cited passages stay in the verdicts citing them)", parents=[anywhere]
    ).add_argument("document", type=int)
    corpus_actions.add_parser("remove-demo", help="delete the shipped demo documents", parents=[anywhere])
    sub = command("search", cmd_search, "search the configured connectors for a claim; add what they find")
    sub.add_argument("claim", type=int)
    sub.add_argument("--query", help="what to search for (default: the claim's names, numbers and key terms)")
    command("index", cmd_index, "embed new passages and rank candidates for every claim")
    command("candidates", cmd_candidates, "show a claim's ranked evidence").add_argument("claim", type=int)
    command("history", cmd_history, "a claim's audit history (ids for undo)").add_argument("claim", type=int)

    sub = command("verdict", cmd_verdict, "record a verdict for a claim")
    sub.add_argument("claim", type=int)
    sub.add_argument("verdict", choices=verdicts)
    sub.add_argument("--rationale", help="required for disputed and unsupported")
    sub.add_argument("--supports", type=int, nargs="*", help="passage ids that support the claim")
    sub.add_argument("--contradicts", type=int, nargs="*", help="passage ids that contradict it")
    sub.add_argument("--expected-version", type=int, help="refuse if the verdict changed since this version (0 = none)")
    command("clear-verdict", cmd_clear_verdict, "withdraw a claim's verdict").add_argument("claim", type=int)
    sub = command("bulk-verdict", cmd_bulk_verdict, "one verdict for many claims, all or none")
    sub.add_argument("verdict", choices=verdicts)
    sub.add_argument("claims", type=int, nargs="+")
    sub.add_argument("--rationale")
    sub = command("mark", cmd_mark, "mark a passage as evidence for a claim")
    sub.add_argument("claim", type=int)
    sub.add_argument("passage", type=int)
    sub.add_argument("mark", choices=[*map(str, Mark), "none"])
    sub = command("blind-verdict", cmd_blind_verdict, "your verdict in a blind double review")
    sub.add_argument("claim", type=int)
    sub.add_argument("verdict", choices=verdicts)
    sub.add_argument("--rationale")
    sub = command("adjudicate", cmd_adjudicate, "settle a blind double review that disagrees")
    sub.add_argument("claim", type=int)
    sub.add_argument("verdict", choices=verdicts)
    sub.add_argument("--rationale")
    command("apply-to-appearances", cmd_apply_to_appearances, "copy a claim's verdict to its other appearances").add_argument(
        "claim", type=int
    )
    sub = command("assign", cmd_assign, "assign an article to a reviewer (two for blind double review)")
    sub.add_argument("article", type=int)
    sub.add_argument("--to", required=True, help="reviewer ('' to unassign)")
    sub.add_argument("--second", help="second blind reviewer: turns on double review")
    command("undo", cmd_undo, "undo an audited change (ids from `history`)").add_argument("change", type=int)

    sub = command("export", cmd_export, "write verdicts as CSV, JSON or ClaimReview JSON-LD")
    sub.add_argument("--format", choices=("csv", "json", "claimreview"), default="csv")
    sub.add_argument("--output", "-o", default="-", help="file to write (default: stdout)")
    sub.add_argument("--article", type=int)
    sub.add_argument("--verdict", choices=verdicts)
    sub.add_argument("--since", help="YYYY-MM-DD")
    sub.add_argument("--until", help="YYYY-MM-DD")
    sub.add_argument("--by", dest="reviewer", help="only this reviewer's verdicts")
    command("import-verdicts", cmd_import_verdicts, "read a verdicts CSV (as exported) back in").add_argument("path")
    sub = command("agreement", cmd_agreement, "Cohen's kappa of double review and the adjudication queue")
    sub.add_argument("--article", type=int, help="one batch (article) only")

    sub = command("factchecks", cmd_factchecks, "earlier fact-checks: import a collection, match, reuse, dismiss")
    sub.add_argument("action", choices=("import", "match", "reuse", "dismiss"))
    sub.add_argument(
        "targets", nargs="+", help="import: files (csv/tsv or ClaimReview json); match: CLAIM; reuse/dismiss: CLAIM FACTCHECK"
    )
    sub.add_argument("--collection", help="collection name for imported rows (default: from the file)")
    sub.add_argument("-k", type=int, default=5, help="matches to show")

    users = command("users", cmd_users, "accounts: add, list, change role, reset password, disable, enable")
    user_actions = users.add_subparsers(dest="users_action", required=True, metavar="ACTION")
    sub = user_actions.add_parser("add", help="add an account (prints a one-time password)", parents=[anywhere])
    sub.add_argument("name")
    sub.add_argument("--role", required=True, choices=[str(r) for r in Role])
    sub.add_argument("--identity", help="e-mail at the organisation's identity provider (single sign-on)")
    sub.add_argument("--password-stdin", action="store_true", help="read the password from standard input instead")
    sub = user_actions.add_parser("role", help="change an account's role", parents=[anywhere])
    sub.add_argument("name")
    sub.add_argument("role", choices=[str(r) for r in Role])
    for name, help in (
        ("disable", "disable an account"),
        ("enable", "enable an account again"),
        ("reset-password", "give an account a new one-time password"),
    ):
        user_actions.add_parser(name, help=help, parents=[anywhere]).add_argument("name")
    user_actions.add_parser(
        "password", help="change your own password (current, then new, on standard input)", parents=[anywhere]
    )
    user_actions.add_parser("list", help="list accounts", parents=[anywhere])

    sub = command("sources", cmd_sources, "source ratings: import, override, or look up a domain")
    sub.add_argument("action", choices=("import-lin2023", "import-unreliable", "override", "show"))
    sub.add_argument("target", help="ratings file (.csv, .txt or gzip), or a domain, host, host/path or URL")
    sub.add_argument("--rating", type=float, help="override: the local rating, 0–1")
    sub.add_argument("--label", help="override: a label instead of a number: low, medium, high or 'unreliable (listed)'")
    sub.add_argument("--reason", help="override: why (required)")
    sub.add_argument("--version", help="imports: the data's version (default: a hash of the file)")
    sub.add_argument("--as-of", help="imports: the data's date (a list's default: the date in its file name)")
    sub.add_argument("--replace", action="store_true", help="imports: a complete new version; keys it lacks are removed")
    return parser


def command_paths(parser: argparse.ArgumentParser) -> set[str]:
    """Every command the parser accepts, as typed: "verdict", "claim split", "sources override", ...

    Positional choices of a command (``factchecks import``) count as sub-commands."""

    def walk(current: argparse.ArgumentParser, prefix: str) -> Iterator[str]:
        for group in current._subparsers._group_actions if current._subparsers else []:
            for name, sub in group.choices.items():
                path = f"{prefix} {name}".strip()
                yield path
                yield from walk(sub, path)
        for item in current._positionals._group_actions:
            if item.dest == "action" and item.choices:
                yield from (f"{prefix} {choice}" for choice in item.choices)

    return set(walk(parser, ""))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = Output(args.json)
    try:
        data_dir = Path(args.data_dir) if args.data_dir else None
        if data_dir is not None and data_dir.exists() and not data_dir.is_dir():
            raise ConfigurationError(f"--data-dir {data_dir} is a file, not a folder.")
        workbench = Workbench(load_settings(data_dir, args.model))
        workbench.seed_demo_data()
        first_password = actions.ensure_first_admin(workbench.store)
        if first_password:
            print(f"Created the first admin account: {accounts.FIRST_ADMIN}, one-time password {first_password}", file=sys.stderr)
        actor = actions.account_actor(workbench.store, args.actor)
        status = int(args.run(workbench, actor, args, out) or 0)
    except WorkbenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    out.close()
    return status

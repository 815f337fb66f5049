"""The command line is a true twin of the action layer: every action has a command, every command
exists in the parser, and the README documents each one (in the style of sqlite-utils' docs tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.actions import REGISTRY
from checks.cli import build_parser, command_paths

README = Path(__file__).resolve().parents[1] / "README.md"


def missing_commands(parser, registry=REGISTRY) -> list[str]:
    """Actions whose command-line twin the parser does not accept."""
    paths = command_paths(parser)
    return sorted(f"{spec.name} → {spec.cli}" for spec in registry.values() if spec.cli not in paths)


def test_every_action_has_a_command():
    assert len(REGISTRY) >= 25
    assert missing_commands(build_parser()) == []


def test_parity_check_fails_when_a_command_is_removed():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0]
    del commands.choices["undo"]
    assert missing_commands(parser) == ["undo → undo"]
    claim = build_parser()
    claim_actions = claim._subparsers._group_actions[0].choices["claim"]._subparsers._group_actions[0]
    del claim_actions.choices["split"]
    assert missing_commands(claim) == ["split_claim → claim split"]


@pytest.mark.parametrize("spec", sorted(REGISTRY.values(), key=lambda s: s.name), ids=lambda s: s.name)
def test_every_action_command_is_in_the_readme(spec):
    assert f"python -m checks {spec.cli}" in README.read_text(encoding="utf-8"), f"README lacks `python -m checks {spec.cli}`"


def test_every_action_declares_a_role_and_says_what_it_does():
    for spec in REGISTRY.values():
        assert spec.summary and spec.summary[0].isupper(), spec.name
        assert spec.role in ("reviewer", "editor", "admin")

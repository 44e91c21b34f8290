"""`plaza rules ...`: check, test, replay and diff rulesets from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson

from rules.dryrun import diff_rulesets
from rules.engine import Event
from rules.errors import EventInvalid, Problem, RulesetInvalid
from rules.replay import load_profiles, replay_file
from rules.ruleset import Ruleset, load_ruleset
from rules.testing import run_tests

_zone = click.option(
    "--timezone",
    "default_timezone",
    default="UTC",
    show_default=True,
    help="Company time zone, used when a file does not name one.",
)


@click.group("rules")
def rules_group() -> None:
    """Check, test and replay gamification rulesets."""


def _load(path: str, default_timezone: str) -> Ruleset:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesetInvalid([Problem(path, 1, 1, f"cannot read: {exc}")]) from None
    return load_ruleset(text, path, default_timezone)


@rules_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_zone
def check_command(files: tuple[str, ...], default_timezone: str) -> None:
    """Print one `file:line:col: message` per problem; exit 1 if there are any."""
    failed = False
    for path in files:
        try:
            _load(path, default_timezone)
        except RulesetInvalid as exc:
            failed = True
            for problem in exc.problems:
                click.echo(str(problem))
    sys.exit(1 if failed else 0)


@rules_group.command("test")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_zone
def test_command(files: tuple[str, ...], default_timezone: str) -> None:
    """Run each file's `tests:` block, showing expected against actual."""
    passed = failed = 0
    for path in files:
        try:
            ruleset = _load(path, default_timezone)
        except RulesetInvalid as exc:
            failed += 1
            for problem in exc.problems:
                click.echo(str(problem))
            continue
        for result in run_tests(ruleset):
            click.echo(f"{'PASS' if result.passed else 'FAIL'} {path}: {result.name}")
            for line in result.lines:
                click.echo(f"    {line}")
            passed += result.passed
            failed += not result.passed
    click.echo(f"{passed} of {passed + failed} rule tests passed")
    sys.exit(1 if failed else 0)


@rules_group.command("replay")
@click.option("--rules", "rules_path", required=True, type=click.Path(dir_okay=False))
@click.option("--events", "events_path", required=True, type=click.Path(dir_okay=False))
@click.option("--users", "users_path", type=click.Path(dir_okay=False))
@_zone
def replay_command(
    rules_path: str, events_path: str, users_path: str | None, default_timezone: str
) -> None:
    """Replay EVENTS.jsonl with in-memory state; print totals as JSON."""
    try:
        ruleset = _load(rules_path, default_timezone)
        totals = replay_file(ruleset, events_path, users_path)
    except RulesetInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    except (EventInvalid, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(orjson.dumps(totals.as_dict(), option=orjson.OPT_INDENT_2).decode())


@rules_group.command("diff")
@click.option("--draft", "draft_path", required=True, type=click.Path(dir_okay=False))
@click.option("--published", "published_path", required=True, type=click.Path(dir_okay=False))
@click.option("--events", "events_path", required=True, type=click.Path(dir_okay=False))
@click.option("--users", "users_path", type=click.Path(dir_okay=False))
@_zone
def diff_command(
    draft_path: str,
    published_path: str,
    events_path: str,
    users_path: str | None,
    default_timezone: str,
) -> None:
    """Dry-run DRAFT against PUBLISHED over the same events; print the difference."""
    try:
        draft = _load(draft_path, default_timezone)
        published = _load(published_path, default_timezone)
        profiles = load_profiles(users_path) if users_path else {}
        with open(events_path, "rb") as handle:
            events = [Event.from_mapping(orjson.loads(line)) for line in handle if line.strip()]
    except RulesetInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    except (EventInvalid, OSError, ValueError, KeyError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    report = diff_rulesets(draft, published, events, profiles)
    click.echo(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2).decode())


@rules_group.command("describe")
@click.option(
    "--markdown", "as_markdown", is_flag=True, help="The docs/rules.md reference section."
)
@click.option(
    "--write",
    "write_path",
    type=click.Path(dir_okay=False),
    help="Replace the generated section of this Markdown file (docs/rules.md).",
)
def describe_command(as_markdown: bool, write_path: str | None) -> None:
    """Describe the rule language: event types, fields, CEL functions, keys (JSON or Markdown)."""
    from rules.describe import describe, markdown, splice

    if write_path is not None:
        target = Path(write_path)
        target.write_text(splice(target.read_text(encoding="utf-8"), markdown()), encoding="utf-8")
        return
    if as_markdown:
        click.echo(markdown(), nl=False)
        return
    click.echo(orjson.dumps(describe(), option=orjson.OPT_INDENT_2).decode())

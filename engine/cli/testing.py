"""`carepath test`: run the test cases beside the pathways (`test_<file>.json`), for CI and for authors."""
from __future__ import annotations

import json
from pathlib import Path

import click

from engine.cli import output
from engine.cli.context import json_option, pass_state
from engine.service import CarePathways

EXIT_FAILED = 2


@click.command("test")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--file", "only_file", metavar="FILE", help="Only this test file (bpmn/test_ccm.json).")
@click.option("--case", "only_case", metavar="NAME", help="Only the cases of this name.")
@json_option
@pass_state
def test(state, path, only_file, only_case):
    """Run every test case of a bundle (a folder or .zip): each `test_<file>.json` beside a BPMN file, in
    SpiffArena's format with carepath's extensions (time steps, messages, expected path and tasks per role).

    Cases run in memory on their own simulated clock; nothing is stored. Exit 0 when every case passed, 2 when
    one failed or none was found.
    """
    report = CarePathways.test_pathways(path)
    outcomes = [o for o in report.outcomes if only_file in (None, o.file) and only_case in (None, o.result.case)]
    failed = [o for o in outcomes if not o.result.passed]
    if state.json:
        output.emit_json({"bundle": report.bundle, "passed": len(outcomes) - len(failed),
                          "failed": len(failed) + len(report.problems), "problems": report.problems,
                          "cases": [o.to_dict() for o in outcomes]})
    else:
        for outcome in outcomes:
            _show(outcome)
        for problem in report.problems:
            click.echo(f"ERROR {problem}")
        click.echo(f"{len(outcomes) - len(failed)} passed, {len(failed) + len(report.problems)} failed")
    if failed or report.problems or not outcomes:
        if not outcomes and not report.problems:
            click.echo(f"error: no test cases found in {path} (test_<file>.json beside a .bpmn file)", err=True)
        click.get_current_context().exit(EXIT_FAILED)


def _show(outcome) -> None:
    result = outcome.result
    name = f"{outcome.file}::{result.case}"
    if result.passed:
        click.echo(f"PASS {name} ({len(result.steps)} steps)")
        return
    click.echo(f"FAIL {name}")
    click.echo(f"  at step {result.step}: {result.steps[result.step - 1] if result.steps else 'start'}")
    click.echo(f"  {result.message}")
    if result.expected is not None or result.actual is not None:
        click.echo(f"  expected: {_short(result.expected)}")
        click.echo(f"  actual:   {_short(result.actual)}")


def _short(value) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 400 else text[:397] + "..."


COMMANDS = [test]

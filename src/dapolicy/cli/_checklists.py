"""``dapolicy checklists``: every checklist, its item ids and short paraphrases."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dapolicy.cli._common import _load_policy, policy_option


@click.command()
@policy_option
@click.option("--json", "as_json", is_flag=True, help="Print them as JSON, for machines.")
def checklists(policy_path: Path | None, as_json: bool) -> None:
    """List every checklist the plug-ins contribute, with item ids and paraphrases.

    The ids are what a risk form's answers are keyed by. The paraphrases are
    dapolicy's own: the instruments' wording is copyright and never printed.
    """
    from dapolicy.checklists import checklists as known
    from dapolicy.checklists import checklists_data, render_checklists

    sets = known(_load_policy(policy_path))
    if as_json:
        click.echo(json.dumps(checklists_data(sets), ensure_ascii=False, indent=2))
    else:
        click.echo(render_checklists(sets), nl=False)

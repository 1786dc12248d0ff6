"""``dapolicy plugins``: the registered plug-ins and their hooks."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dapolicy.cli._common import _load_policy, policy_option

_HEADER = ("PLUG-IN", "VERSION", "HOOKS")


@click.command()
@policy_option
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON, for machines.")
def plugins(policy_path: Path | None, as_json: bool) -> None:
    """List every registered plug-in, its distribution and version, and its hooks."""
    policy = _load_policy(policy_path)
    rows = [
        (
            info.name,
            info.version,
            [h.removeprefix("dapolicy_") for h in policy.hooks_of(info.name)],
        )
        for info in policy.plugins
    ]
    if as_json:
        listed = [
            {"name": name, "version": version, "hooks": hooks} for name, version, hooks in rows
        ]
        click.echo(json.dumps(listed, indent=2))
        return
    width = max(len(name) for name, _, _ in [(_HEADER[0], "", []), *rows])
    click.echo(f"{_HEADER[0]:<{width}}  {_HEADER[1]:<22}  {_HEADER[2]}")
    for name, version, hooks in rows:
        click.echo(f"{name:<{width}}  {version:<22}  {', '.join(hooks)}")

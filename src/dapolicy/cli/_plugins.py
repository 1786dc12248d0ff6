"""``dapolicy plugins``: the registered plug-ins and their hooks."""

from __future__ import annotations

from pathlib import Path

import click

from dapolicy.cli._common import _load_policy, policy_option


@click.command()
@policy_option
def plugins(policy_path: Path | None) -> None:
    """List every registered plug-in, its distribution and version, and its hooks."""
    policy = _load_policy(policy_path)
    width = max(len(info.name) for info in policy.plugins)
    for info in policy.plugins:
        hooks = ", ".join(h.removeprefix("dapolicy_") for h in policy.hooks_of(info.name))
        click.echo(f"{info.name:<{width}}  {info.version:<22}  {hooks}")

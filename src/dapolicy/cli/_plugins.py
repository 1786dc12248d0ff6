"""``dapolicy plugins``: the registered plug-ins and their hooks, and any broken one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import attrs
import click

from dapolicy.cli._common import EXIT_REJECTS, _load_policy, _load_settings, policy_option
from dapolicy.policy import Policy
from dapolicy.settings import Settings

_HEADER = ("PLUG-IN", "VERSION", "HOOKS")


@click.command()
@policy_option
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON, for machines.")
def plugins(policy_path: Path | None, as_json: bool) -> None:
    """List every registered plug-in, its distribution and version, and its hooks.

    A plug-in of the 'dapolicy' entry-point group that cannot be used is listed as
    BROKEN, with the hook at fault and why (in JSON, under "broken"); the others are
    listed as usual, and the exit status is 1 (every other command refuses to run
    with a broken plug-in).
    """
    settings = _load_settings(policy_path) if policy_path is not None else Settings()
    broken = [s for s in Policy.inspect_entry_points(settings) if s.status == "broken"]
    if broken:
        # The working plug-ins, as a policy without the broken ones would have them.
        block = (*settings.plugins.block, *(s.name for s in broken))
        settings = attrs.evolve(settings, plugins=attrs.evolve(settings.plugins, block=block))
    policy = _load_policy(policy_path, settings)
    rows = [
        (
            info.name,
            info.version,
            [h.removeprefix("dapolicy_") for h in policy.hooks_of(info.name)],
        )
        for info in policy.plugins
    ]
    if as_json:
        listed: list[dict[str, object]] = [
            {"name": name, "version": version, "hooks": hooks} for name, version, hooks in rows
        ]
        listed += [
            {
                "name": s.name,
                "version": f"{s.distribution} {s.version}",
                "broken": {"hook": s.hook, "reason": s.reason},
            }
            for s in broken
        ]
        click.echo(json.dumps(listed, indent=2))
    else:
        problems = [
            (
                s.name,
                f"{s.distribution} {s.version}",
                [f"BROKEN: {f'hook {s.hook!r}: ' if s.hook else ''}{s.reason}"],
            )
            for s in broken
        ]
        everything = sorted([*rows, *problems])
        width = max(len(name) for name, _, _ in [(_HEADER[0], "", []), *everything])
        click.echo(f"{_HEADER[0]:<{width}}  {_HEADER[1]:<22}  {_HEADER[2]}")
        for name, version, hooks in everything:
            click.echo(f"{name:<{width}}  {version:<22}  {', '.join(hooks)}")
    if broken:
        sys.exit(EXIT_REJECTS)

"""``dapolicy synth``: realistic synthetic cases."""

from __future__ import annotations

from pathlib import Path

import click

from dapolicy.cli._common import FILE, _err, _Failure, _load_settings
from dapolicy.cli._files import STREAM, Output, check_distinct, written
from dapolicy.serialization import to_json


@click.command()
@click.argument("count", required=False, type=click.IntRange(min=0))
@click.option(
    "--n",
    "old_count",
    type=click.IntRange(min=0),
    help="How many cases (deprecated: give COUNT).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--profile",
    default="staffordshire-2013",
    show_default=True,
    help="A calibration profile (see docs: synth).",
)
@click.option(
    "-o",
    "--output",
    type=FILE,
    help="Cases, one JSON line each [default: stdout].",
)
@click.option(
    "--totals",
    "totals_path",
    type=FILE,
    help="Also write the force-wide totals the shares are taken against (JSON).",
)
@click.option(
    "--dara",
    "dara_path",
    type=FILE,
    help="A policy file whose [dara] items the officers answer: each form received is "
    "then the officer's DARA instead of a DASH (Case.dara).",
)
def synth(
    count: int | None,
    old_count: int | None,
    seed: int,
    profile: str,
    output: Path | None,
    totals_path: Path | None,
    dara_path: Path | None,
) -> None:
    """Write COUNT realistic synthetic cases, for demos, tests and benchmarks.

    The default profile is calibrated to the inspection report's figures; feed its
    output and --totals to "dapolicy audit" to see them again.
    """
    from dapolicy.synth import PROFILES, synthesize, totals_for

    if old_count is not None:
        _err("dapolicy synth: --n is deprecated; give the count as an argument: synth COUNT")
        if count is not None and count != old_count:
            raise _Failure(f"COUNT {count} and --n {old_count} disagree: give COUNT only")
        count = old_count
    if count is None:
        raise click.UsageError("Missing argument 'COUNT'.")
    chosen = PROFILES.get(profile)
    if chosen is None:
        raise _Failure(f"unknown profile {profile!r}; known: {', '.join(sorted(PROFILES))}")
    dara_items: tuple[str, ...] = ()
    if dara_path is not None:
        dara_items = tuple(item.id for item in _load_settings(dara_path).dara.items)
        if not dara_items:
            raise _Failure(f"{dara_path}: no [dara] items: set enabled = true and give them")
    cases = Output("--output", output or STREAM)
    totals = Output("--totals", totals_path) if totals_path is not None else None
    check_distinct(
        [], [("--output", cases.path)] + ([("--totals", totals.path)] if totals else [])
    )
    with written(*([cases, totals] if totals else [cases])):
        for case in synthesize(count, seed, chosen, dara_items=dara_items):
            cases.line(to_json(case))
        if totals is not None:
            totals.line(to_json(totals_for(chosen, count)))
    _err(f"dapolicy synth: {count} cases, profile {profile}, seed {seed}")

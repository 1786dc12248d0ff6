"""``dapolicy synth``: realistic synthetic cases."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import click

from dapolicy.cli._common import FILE, _err, _Failure, _open_out
from dapolicy.serialization import to_json


@click.command()
@click.option("--n", "count", type=click.IntRange(min=0), required=True, help="How many cases.")
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
def synth(
    count: int, seed: int, profile: str, output: Path | None, totals_path: Path | None
) -> None:
    """Write COUNT realistic synthetic cases, for demos, tests and benchmarks.

    The default profile is calibrated to the inspection report's figures; feed its
    output and --totals to ``dapolicy audit`` to see them again.
    """
    from dapolicy.synth import PROFILES, synthesize, totals_for

    chosen = PROFILES.get(profile)
    if chosen is None:
        raise _Failure(f"unknown profile {profile!r}; known: {', '.join(sorted(PROFILES))}")
    with ExitStack() as stack:
        out = _open_out(stack, output)
        for case in synthesize(count, seed, chosen):
            out.write(to_json(case) + "\n")
    if totals_path is not None:
        try:
            totals_path.write_text(to_json(totals_for(chosen, count)) + "\n", encoding="utf-8")
        except OSError as exc:
            raise _Failure(f"cannot write {totals_path}: {exc.strerror}") from None
    _err(f"dapolicy synth: {count} cases, profile {profile}, seed {seed}")

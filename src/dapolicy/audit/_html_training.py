"""The audit page's training section (private): recommendation 4, one chart a role.

Built from the report's :class:`~dapolicy.audit.TrainingCounts`; the report knows
nothing of HTML.
"""

from __future__ import annotations

from dapolicy.audit._figures import TRAINING_NOTE
from dapolicy.audit._html_charts import (
    BLUE,
    GREY,
    INK,
    ORANGE,
    PURPLE,
    VERMILLION,
    Part,
    small,
    stacked,
)
from dapolicy.audit._html_parts import figure_html, table
from dapolicy.audit._report import AuditReport
from dapolicy.audit._training import TrainingCounts
from dapolicy.models import CaseRole

__all__ = ["training_section"]

_WORK = {CaseRole.ATTENDING: "attendances", CaseRole.INVESTIGATING: "investigations"}


def _chart(force: str, counts: TrainingCounts) -> str:
    work = _WORK[counts.role]
    untrained = counts.untrained
    parts = [
        Part("trained", counts.trained, BLUE, "#fff"),
        Part("not trained", counts.not_trained, VERMILLION, INK),
        Part("training lapsed", counts.expired, ORANGE, INK),
        Part("officer not known", counts.not_known, PURPLE, INK),
        Part("no officer recorded", counts.not_recorded, GREY, "#fff"),
    ]
    share = "n/a" if untrained.percent is None else f"{untrained.percent:.1f}%"
    svg = stacked(
        f"chart-training-{counts.role.value}",
        f"{force}: {work} by the officer's training",
        f"{counts.total:,} {work}: {counts.trained:,} by trained staff, "
        f"{counts.not_trained:,} not trained, {counts.expired:,} with training lapsed, "
        f"{counts.not_known:,} by an officer not in the register, {counts.not_recorded:,} "
        f"with no officer recorded. Without the required training: {share} of "
        f"{counts.recorded:,} with an officer recorded.",
        f"{counts.total:,} {work}",
        parts,
    )
    rows = [(p.name, p.cases) for p in parts]
    rows += [(f"lacking course {gap.course}", gap.count) for gap in counts.gaps]
    return figure_html(
        svg,
        f"{work.capitalize()} by whether the officer held the domestic-abuse training the "
        f"role requires on the day. {TRAINING_NOTE}",
        f"Of {counts.total:,} {work}; the share without training is of the "
        f"{counts.recorded:,} with an officer recorded."
        + (" Small count." if small(counts.recorded) else ""),
        table(["Officer", "Cases"], rows, {1}),
        f"{work.capitalize()} by the officer's training",
    )


def training_section(report: AuditReport) -> str:
    """The section, or nothing when the audit was given no training register."""
    if report.training is None:
        return ""
    charts = "".join(_chart(report.force, counts) for counts in report.training)
    return f"<section><h2>Training (recommendation 4)</h2>{charts}</section>"

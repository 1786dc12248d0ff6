"""The force's figures and its compliance, from a stream of cases.

:func:`audit` reads :class:`~dapolicy.models.Case` records once, in the order given,
and returns an :class:`AuditReport` of counts: the figures HMIC's 2014 inspection report
shows on its "Domestic abuse in Staffordshire" page and in Figures 1 to 3, and the
compliance the report found wanting.

Figures (a share needs the force-wide :class:`ForceTotals`, which the cases cannot
give):

- domestic abuse as a share of all calls for assistance and of all recorded crime;
- the share of domestic-abuse calls flagged as from a repeat caller;
- domestic abuse as a share of assaults with intent, assaults with injury, harassment
  and sexual offences;
- arrests per 100 domestic-abuse crimes, against the 45-90 band of most forces;
- the charge, caution and out-of-court disposal rates of domestic-abuse crimes;
- cases by risk grade: every case is graded with the policy (which the inspected force
  could not report); "active" means every case in the input. A case no risk model
  graded is "ungraded: needs review", never "standard"; the decisions that need review
  are broken down by reason.

Compliance: crimes and non-crime incidents with no risk form, one never submitted, or
a late one (:func:`dapolicy.operations.form_compliance`); incidents with a child present
whose welfare was not checked; the time from report to the force's recorded grade
(median, 90th percentile, over 24 h and 72 h); repeat victims; and, given the force's
training register, the attendances and investigations by staff without the training
their role requires (recommendation 4).

Memory: counters, one timestamp per incident for the repeat-victim count, the victim
history the policy needs (ids and timestamps), and one float per graded case for the
latency percentiles (exact, not estimated). Cases themselves are not kept. The input is
expected in the order the incidents happened, as a force's extract and
:func:`dapolicy.synth.synthesize` give it: each case is graded with the history of the
cases before it.

No personal data reaches the report: counts, shares and the force's name only.
:func:`render_text` and :func:`render_html` present it.
"""

from dapolicy._totals import ForceTotals
from dapolicy.audit._figures import Figure, figures, render_text
from dapolicy.audit._html_page import render_html
from dapolicy.audit._report import (
    ARREST_BAND,
    FOUR_GROUPS,
    LATENCY_BINS,
    PUBLISHED,
    PUBLISHED_SOURCE,
    REVIEW_LABELS,
    SMALL_COUNT,
    AuditReport,
    ChildrenCounts,
    DefinitionCounts,
    FormCounts,
    GradeCounts,
    Latency,
    LatencyBin,
    OffenceCount,
    OffenceGroup,
    Outcomes,
    ReviewCount,
    Share,
)
from dapolicy.audit._tally import audit, percentile
from dapolicy.audit._training import CourseGap, TrainingCounts, read_training_register

__all__ = [
    "ARREST_BAND",
    "FOUR_GROUPS",
    "LATENCY_BINS",
    "PUBLISHED",
    "PUBLISHED_SOURCE",
    "REVIEW_LABELS",
    "SMALL_COUNT",
    "AuditReport",
    "ChildrenCounts",
    "CourseGap",
    "DefinitionCounts",
    "Figure",
    "ForceTotals",
    "FormCounts",
    "GradeCounts",
    "Latency",
    "LatencyBin",
    "OffenceCount",
    "OffenceGroup",
    "Outcomes",
    "ReviewCount",
    "Share",
    "TrainingCounts",
    "audit",
    "figures",
    "percentile",
    "read_training_register",
    "render_html",
    "render_text",
]

"""Examplia Constabulary's local rule on vulnerable victims, as a dapolicy plug-in.

Policy DA-7 of the (fictional) Examplia Constabulary: a victim with two or more
vulnerability markers -- counting the markers on the victim's record and "yes"
answers on the force's short vulnerability supplement -- is at least medium risk,
whatever the checklist score. The plug-in contributes that supplement as a checklist
of its own (ids and short paraphrases only) and grades by it.

dapolicy discovers the plug-in through the entry point in this package's
``pyproject.toml``; nothing else registers it.
"""

from __future__ import annotations

from collections.abc import Iterable

from dapolicy import (
    Finding,
    Incident,
    QuestionItem,
    QuestionSet,
    Reason,
    RiskForm,
    RiskGrade,
    hookimpl,
)

__version__ = "0.1.0"

#: The ``RiskForm.checklist`` id of the force's vulnerability supplement.
CHECKLIST = "examplia-da7-supplement"
#: Where the rule comes from, cited in every reason.
SOURCE = "Examplia Constabulary policy DA-7 (vulnerable victims)"
#: Markers (record plus supplement) from which the victim is at least medium risk.
MARKERS_NEEDED = 2

SUPPLEMENT = QuestionSet(
    CHECKLIST,
    "Examplia vulnerability supplement (DA-7)",
    (
        QuestionItem("v1", "victim relies on the suspect for care or mobility"),
        QuestionItem("v2", "victim has no independent access to money or a phone"),
        QuestionItem("v3", "victim does not speak English well enough to seek help"),
        QuestionItem("v4", "victim is living in temporary or insecure accommodation"),
    ),
    SOURCE,
)


@hookimpl
def dapolicy_question_sets() -> Iterable[QuestionSet]:
    """The DA-7 vulnerability supplement."""
    return (SUPPLEMENT,)


@hookimpl
def dapolicy_assess_risk(incident: Incident, form: RiskForm | None) -> Finding | None:
    """At least medium risk for a victim with two or more vulnerability markers."""
    recorded = len(incident.victim.vulnerabilities)
    disclosed = 0
    if form is not None and form.checklist == CHECKLIST:
        disclosed = len(form.yes_items(SUPPLEMENT.item_ids))
    markers = recorded + disclosed
    if markers < MARKERS_NEEDED:
        return None
    return Finding(
        "examplia-vulnerability",
        RiskGrade.MEDIUM,
        (
            Reason(
                "examplia.da7-vulnerable-victim",
                SOURCE,
                f"{markers} vulnerability markers ({recorded} recorded, {disclosed} "
                "disclosed on the supplement): at least medium risk",
            ),
        ),
        score=markers,
    )

"""The Maryland Lethality Screen for first responders: a non-UK instrument, as a plug-in.

It shows that the hooks fit an instrument unlike DASH. Eleven yes/no items; the victim
"screens in" (high danger) on a "yes" to any of items 1-3, or -- when none of 1-3 is
"yes" -- on four or more "yes" answers among items 4-11, or when the officer believes
the victim is in a potentially lethal situation (item ``officer-belief``). Screened in
is graded high; otherwise the screen gives standard, which other models may raise.
Items are paraphrased (Maryland Network Against Domestic Violence, 2005).
"""

from __future__ import annotations

from collections.abc import Iterable

from dapolicy.hookspecs import hookimpl
from dapolicy.models import Answer, Finding, Incident, Reason, RiskForm, RiskGrade
from dapolicy.models.checklist import QuestionItem, QuestionSet
from dapolicy.models.risk import reason

CHECKLIST = "lethality-screen"
SOURCE = "Lethality Assessment Program, Maryland Model (MNADV 2005)"
OFFICER_BELIEF = "officer-belief"

_ITEMS = (
    "weapon used or threatened",
    "threatened to kill the victim or the children",
    "victim thinks the suspect might try to kill them",
    "suspect has a gun or can get one easily",
    "suspect has tried to choke the victim",
    "violently or constantly jealous, or controls daily activities",
    "separated after living together or marriage",
    "suspect is unemployed",
    "suspect has threatened or tried suicide",
    "victim has a child the suspect knows is not theirs",
    "suspect follows, spies or leaves threatening messages",
)
#: Items of which any one "yes" screens in.
DECISIVE = ("1", "2", "3")
#: Items of which four "yes" screen in.
COUNTED = tuple(str(n) for n in range(4, 12))
COUNT_NEEDED = 4

SCREEN = QuestionSet(
    CHECKLIST,
    "Lethality Screen for First Responders (Maryland Model)",
    (
        *(QuestionItem(str(n), text) for n, text in enumerate(_ITEMS, start=1)),
        QuestionItem(
            OFFICER_BELIEF, "officer believes the victim is in a potentially lethal situation"
        ),
    ),
    SOURCE,
)


@hookimpl
def dapolicy_question_sets() -> Iterable[QuestionSet]:
    """The Lethality Screen's items."""
    return (SCREEN,)


@hookimpl
def dapolicy_assess_risk(incident: Incident, form: RiskForm | None) -> Finding | None:
    """Screen in (high) or not (standard).

    A weapon present at the incident with item 1 (a weapon used or threatened) not
    "yes" adds a prompt to ask item 1 again: a "yes" to it screens in.
    """
    if form is None or form.checklist != CHECKLIST:
        return None
    prompts: tuple[Reason, ...] = ()
    if incident.weapon_present and form.answer("1") is not Answer.YES:
        prompts = (
            reason(
                "lethality.weapon-at-incident",
                f"{SOURCE}: item 1, a weapon used or threatened, screens in on its own",
                "a weapon was present at this incident but item 1 is not 'yes': ask it again",
            ),
        )
    decisive = sorted(form.yes_items(DECISIVE))
    counted = len(form.yes_items(COUNTED))
    reasons = []
    if decisive:
        reasons.append(
            reason(
                "lethality.decisive-item",
                f"{SOURCE}: any 'yes' to items 1-3",
                f"'yes' to item(s) {', '.join(decisive)}",
            )
        )
    elif counted >= COUNT_NEEDED:
        reasons.append(
            reason(
                "lethality.four-of-eight",
                f"{SOURCE}: four or more 'yes' to items 4-11",
                f"{counted} 'yes' answers among items 4-11",
            )
        )
    if form.answer(OFFICER_BELIEF) is Answer.YES:
        reasons.append(
            reason(
                "lethality.officer-belief",
                f"{SOURCE}: the officer may screen in on their belief",
                "the officer believes the victim is in a potentially lethal situation",
            )
        )
    if reasons:
        return Finding(
            "lethality-screen",
            RiskGrade.HIGH,
            tuple(reasons),
            score=len(decisive) + counted,
            prompts=prompts,
        )
    return Finding(
        "lethality-screen",
        RiskGrade.STANDARD,
        (
            reason(
                "lethality.not-screened-in",
                SOURCE,
                f"not screened in ({counted} of items 4-11 'yes')",
            ),
        ),
        score=counted,
        prompts=prompts,
    )

"""DASH 2009: the police 27-item checklist and the partner-agency (SafeLives RIC) 24.

Score = the number of "yes" answers ("not known" and "declined" are not "yes"). The
grade bands are the force's (``settings.dash``); the defaults, 0-9 standard, 10-13
medium, 14+ high, are local guidance published by several areas. 14 or more is
SafeLives' "visible high risk". The two checklists share item ids: police item *n* is
RIC item *n* for n <= 9, police items 13-27 are RIC items 10-24, and police items
10-12 are the extra children-and-dependants items.

A "yes" to item 8 (stalking and harassment) offers the 11-item S-DASH stalking
checklist, whose "yes" answers are reported as professional-judgement prompts (no
numeric threshold is published). A "yes" to item 4 (isolation) prompts the
honour-based abuse questions.

Item summaries are short paraphrases; the DASH wording is copyright and not shipped.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from itertools import compress, repeat
from operator import is_

from dapolicy.history import HistoryView
from dapolicy.hookspecs import hookimpl
from dapolicy.models import Answer, Finding, Incident, Reason, RiskForm, RiskGrade
from dapolicy.models.checklist import QuestionItem, QuestionSet
from dapolicy.models.risk import reason
from dapolicy.settings import Settings

__all__ = [
    "POLICE",
    "POLICE_TO_RIC",
    "RIC",
    "SCORED",
    "STALKING",
    "grade_for",
]

POLICE_ID = "dash-2009-police"
RIC_ID = "dash-2009-ric"
SOURCE = "DASH 2009 risk model (ACPO / CAADA, now SafeLives)"

_POLICE_ITEMS = (
    ("1", "current situation", "injury from the current incident"),
    ("2", "current situation", "victim very frightened"),
    ("3", "current situation", "what the victim is afraid of"),
    ("4", "current situation", "isolated from family or friends"),
    ("5", "current situation", "depressed or having suicidal thoughts"),
    ("6", "current situation", "separated or tried to separate in the past year"),
    ("7", "current situation", "conflict over child contact"),
    ("8", "current situation", "constant contact, following, stalking or harassment"),
    ("9", "children and dependants", "pregnant or a baby in the past 18 months"),
    ("10", "children and dependants", "children or dependants not the abuser's in the home"),
    ("11", "children and dependants", "abuser has hurt the children or dependants"),
    ("12", "children and dependants", "abuser has threatened the children or dependants"),
    ("13", "abuse history", "abuse happening more often"),
    ("14", "abuse history", "abuse getting worse"),
    ("15", "abuse history", "controlling or excessively jealous"),
    ("16", "abuse history", "weapons or objects used to hurt"),
    ("17", "abuse history", "threats to kill, believed"),
    ("18", "abuse history", "strangling, choking, suffocating or drowning"),
    ("19", "abuse history", "sexual abuse or degradation"),
    ("20", "abuse history", "another person has threatened the victim"),
    ("21", "abuse history", "abuser has hurt others"),
    ("22", "abuse history", "abuser has mistreated an animal"),
    ("23", "abuser", "financial issues or dependency"),
    ("24", "abuser", "abuser's drug, alcohol or mental-health problems"),
    ("25", "abuser", "abuser has threatened or attempted suicide"),
    ("26", "abuser", "abuser has breached bail, an order or a contact agreement"),
    ("27", "abuser", "abuser has a criminal history"),
)

#: Police item id -> partner-agency (RIC) item id, for the 24 items they share.
POLICE_TO_RIC: dict[str, str] = {
    **{str(n): str(n) for n in range(1, 10)},
    **{str(n): str(n - 3) for n in range(13, 28)},
}

_STALKING_ITEMS = (
    "victim very frightened",
    "suspect has harassed before (this or another victim)",
    "property destroyed or vandalised",
    "visits home or work more than three times a week",
    "loitering around home or work",
    "threats of physical or sexual violence",
    "harassment of third parties",
    "violence towards people during the stalking",
    "others recruited to help",
    "known drug or alcohol misuse",
    "known past violence",
)

#: S-DASH items, answered on the same form as ids ``s1`` to ``s11``; never scored.
STALKING: tuple[QuestionItem, ...] = tuple(
    QuestionItem(f"s{n}", summary, "stalking and harassment (S-DASH 2009)")
    for n, summary in enumerate(_STALKING_ITEMS, start=1)
)

#: The scored items of each checklist.
SCORED: dict[str, frozenset[str]] = {
    POLICE_ID: frozenset(i for i, _, _ in _POLICE_ITEMS),
    RIC_ID: frozenset(POLICE_TO_RIC.values()),
}

POLICE = QuestionSet(
    POLICE_ID,
    "DASH 2009 (police, 27 items, with S-DASH)",
    (*(QuestionItem(i, summary, section) for i, section, summary in _POLICE_ITEMS), *STALKING),
    SOURCE,
)
RIC = QuestionSet(
    RIC_ID,
    "DASH risk identification checklist (partner agencies, 24 items, with S-DASH)",
    (
        *(
            QuestionItem(POLICE_TO_RIC[i], summary, section)
            for i, section, summary in _POLICE_ITEMS
            if i in POLICE_TO_RIC
        ),
        *STALKING,
    ),
    SOURCE,
)

#: The item that offers S-DASH, and the one that prompts honour-based abuse questions
#: (the same ids on both checklists).
_STALKING_ITEM = "8"
_ISOLATION_ITEM = "4"


def grade_for(score: int, settings: Settings) -> RiskGrade:
    """The grade for a count of "yes" answers under the force's bands."""
    if score >= settings.dash.high_from:
        return RiskGrade.HIGH
    if score >= settings.dash.medium_from:
        return RiskGrade.MEDIUM
    return RiskGrade.STANDARD


@hookimpl
def dapolicy_question_sets() -> Iterable[QuestionSet]:
    """The police and partner-agency DASH checklists, each with the S-DASH items."""
    return (POLICE, RIC)


@hookimpl
def dapolicy_assess_risk(
    incident: Incident, form: RiskForm | None, history: HistoryView, settings: Settings
) -> Finding | None:
    """Grade a DASH form by its count of "yes" answers."""
    if form is None or form.checklist not in (POLICE_ID, RIC_ID):
        return None
    # Each scored item's answer, in number order, read once for the score and for
    # the "not known" rules (an item not on the form is not known).
    answers: Sequence[Answer]
    try:  # every scored item on the form, the usual case: one C call
        answers = _READ[form.checklist](form.answers)
    except KeyError:
        answered = form.answers.get
        answers = [answered(number, Answer.NOT_KNOWN) for number in _IN_ORDER[form.checklist]]
    score = answers.count(Answer.YES)
    grade = grade_for(score, settings)
    bands = settings.dash
    reasons = [
        reason(
            f"dash.band.{grade.value}",
            f"{SOURCE}; grade bands set by the force (medium from {bands.medium_from}, "
            f"high from {bands.high_from})",
            f"{score} 'yes' answers on {form.checklist}: {grade.value}",
        )
    ]
    if score >= 14:
        reasons.append(
            reason(
                "dash.visible-high-risk",
                "SafeLives MARAC referral criteria: visible high risk (14 or more ticks)",
                f"{score} 'yes' answers: visible high risk",
            )
        )
    prompts, review = _not_known(form, settings, answers)
    return Finding(
        "dash",
        grade,
        tuple(reasons),
        score=score,
        prompts=_prompts(form) + prompts + _weapon_prompt(incident, form),
        review_reasons=review,
    )


#: The item on weapons or objects used to hurt: police 16, partner-agency (RIC) 13.
WEAPONS_ITEM = {POLICE_ID: "16", RIC_ID: POLICE_TO_RIC["16"]}


def _weapon_prompt(incident: Incident, form: RiskForm) -> tuple[Reason, ...]:
    """A weapon at this incident, and the weapons item not "yes": ask it again.

    A prompt, not a point on the score: DASH counts the victim's answers, and the
    officer's finding of a weapon goes to professional judgement, which may raise the
    grade and never lower it.
    """
    item = WEAPONS_ITEM[form.checklist]
    if not incident.weapon_present or form.answer(item) is Answer.YES:
        return ()
    return (
        reason(
            "dash.weapon-at-incident",
            f"{SOURCE}: item {item}, weapons or objects used to hurt; professional "
            "judgement may raise the grade",
            f"a weapon was present at this incident but item {item} is not 'yes': ask it "
            "again and weigh the weapon in professional judgement",
        ),
    )


#: Where the "not known" rules come from.
NOT_KNOWN_SOURCE = (
    "IOPC 2025 (Bethany Fields): the DASH 'don't know' answer criticised; a 'not known' "
    "is never a 'yes' or a 'no'"
)
_SUMMARY = {i: summary for i, _, summary in _POLICE_ITEMS}
#: Each checklist's scored items in number order.
_IN_ORDER = {checklist: tuple(sorted(items, key=int)) for checklist, items in SCORED.items()}
#: Each checklist's scored answers in that order, from a form that has every one.
_READ = {checklist: operator.itemgetter(*items) for checklist, items in _IN_ORDER.items()}


def _not_known(
    form: RiskForm, settings: Settings, answers: Sequence[Answer]
) -> tuple[tuple[Reason, ...], tuple[Reason, ...]]:
    """Prompts to complete, and review reasons, for the items not known or declined.

    An item not on the form counts as not known. A "not known" or "declined" answer is
    never counted as a "yes" or a "no": the grade stands on the answers given, and a
    person must look at it when too few were given or a key item is not known.

    :param answers: the answer to each scored item, in number order (``_IN_ORDER``).
    """
    scored = _IN_ORDER[form.checklist]
    not_known: list[str] = []
    if Answer.NOT_KNOWN in answers:  # identity first: one C pass
        # The items whose answer is "not known", picked in C (answers and items pair
        # up one to one: both are in number order, ``_IN_ORDER``).
        not_known = list(compress(scored, map(is_, answers, repeat(Answer.NOT_KNOWN))))
    declined = answers.count(Answer.DECLINED)
    bands = settings.dash
    prompts: list[Reason] = []
    review: list[Reason] = []
    unanswered = len(not_known) + declined
    if unanswered >= bands.not_known_review_from:
        review.append(
            reason(
                "dash.not-known-many",
                f"{NOT_KNOWN_SOURCE}; force setting dash.not_known_review_from "
                f"({bands.not_known_review_from})",
                f"{unanswered} of {len(scored)} items not answered ({len(not_known)} not "
                f"known, {declined} declined): the grade rests on the answers given; "
                "complete the form",
            )
        )
    ric = form.checklist == RIC_ID
    key_missing = []
    for police_item in bands.key_items:
        item = POLICE_TO_RIC.get(police_item) if ric else police_item
        if item is None or item not in not_known:
            continue
        key_missing.append(item)
        prompts.append(
            reason(
                "dash.complete-key-item",
                f"{NOT_KNOWN_SOURCE}; key items set by the force (dash.key_items)",
                f"item {item} ({_SUMMARY[police_item]}) not known: ask it again",
            )
        )
    if key_missing:
        review.append(
            reason(
                "dash.not-known-key-item",
                f"{NOT_KNOWN_SOURCE}; key items set by the force (dash.key_items)",
                f"key item(s) {', '.join(key_missing)} not known: neither a 'yes' nor a "
                "'no'; complete them before the grade is relied on",
            )
        )
    return tuple(prompts), tuple(review)


def _prompts(form: RiskForm) -> tuple[Reason, ...]:
    prompts = []
    if form.answer(_STALKING_ITEM) is Answer.YES:
        yes = [item.id for item in STALKING if form.answer(item.id) is Answer.YES]
        prompts.append(
            reason(
                "dash.offer-s-dash",
                "S-DASH 2009: offered when DASH item 8 is 'yes'",
                "stalking or harassment disclosed: ask the 11 S-DASH questions",
            )
        )
        if yes:
            prompts.append(
                reason(
                    "dash.s-dash-answers",
                    "S-DASH 2009: the more 'yes' answers, the higher the risk",
                    f"{len(yes)} of 11 S-DASH answers 'yes' ({', '.join(yes)}): weigh them "
                    "in professional judgement",
                )
            )
    if form.answer(_ISOLATION_ITEM) is Answer.YES:
        prompts.append(
            reason(
                "dash.ask-honour-based-abuse",
                "DASH 2009: item 4 'yes' prompts the honour-based abuse questions",
                "isolation disclosed: consider honour-based abuse and forced marriage",
            )
        )
    return tuple(prompts)

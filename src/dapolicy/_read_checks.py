"""The models' invariants, as the fast read path checks them (private).

Each model checks its invariants in ``_problems``, which yields every problem (for the
error). The fast path (:mod:`dapolicy._read_fast`) needs only a yes or no, on values it
has already checked the types of: a string is a ``str``, a date-time is an aware
``datetime`` at a fixed offset, an enum field holds a member, a nested object is valid.
So each function here answers "would ``_problems`` yield nothing?" for one model,
without the checks those types already settle; on "no", the pure path builds the record
again and reports every problem as it always did.

Each function is written against one version of its model's ``_problems``: the
fingerprint beside it (:func:`fingerprint` of that method's source). Where a model's
``_problems`` has changed since, the fast path does not use the function; it runs the
model's own ``_problems`` instead (correct, a little slower), and a test says which
function to bring up to date.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import io
import operator
import textwrap
import tokenize
from collections.abc import Callable
from typing import Any

from dapolicy.models._base import MAX_YEAR, MIN_YEAR
from dapolicy.models._ids import SAFE_ID
from dapolicy.models.case import Case
from dapolicy.models.dara import DaraForm
from dapolicy.models.decision import Decision, PluginFailure, PluginInfo
from dapolicy.models.incident import Call, Crime, Incident, Outcome
from dapolicy.models.people import CHILD_AGES, Child, Person, Relationship, RelationshipKind
from dapolicy.models.risk import Finding, ProfessionalJudgement, Reason, RiskForm
from dapolicy.models.work import Allocation, Referral, Task

__all__ = ["CHECKS", "check_for", "fingerprint"]

_NO_FURTHER_ACTION = Outcome.NO_FURTHER_ACTION
_FAMILY_MEMBER = RelationshipKind.FAMILY_MEMBER
_safe_id = SAFE_ID.fullmatch
_id_of = operator.attrgetter("id")


# ``not_blank`` for a ``str``, something other than white space, is written out in each
# check as ``(text != "" and not text.isspace())``: a call for each costs more than it.
# Likewise a tuple of reasons (a tuple: the structuring made it) is not empty when it is
# ``!= ()``, with no call to ``bool``.


def _person(o: Person) -> bool:
    # The date of birth is a date, never a datetime: the structuring made it.
    return o.id != "" and not o.id.isspace()


def _child(o: Child) -> bool:
    return (o.id != "" and not o.id.isspace()) and o.age in CHILD_AGES


def _relationship(o: Relationship) -> bool:
    return (o.kind is _FAMILY_MEMBER) is (o.family is not None)


def _crime(o: Crime) -> bool:
    rationale, investigator = o.outcome_rationale, o.investigator
    return (
        (o.id != "" and not o.id.isspace())
        and (investigator is None or (investigator != "" and not investigator.isspace()))
        and (
            o.outcome is not _NO_FURTHER_ACTION
            if rationale is None
            else (rationale != "" and not rationale.isspace())
        )
    )


def _call(o: Call) -> bool:
    return (o.id != "" and not o.id.isspace()) and MIN_YEAR <= o.received_at.year <= MAX_YEAR


def _incident(o: Incident) -> bool:
    # Date-times at fixed offsets compare by the instant, as micros() does.
    reported, occurred, children = o.reported_at, o.occurred_at, o.children
    return (
        (o.id != "" and not o.id.isspace())
        and MIN_YEAR <= reported.year <= MAX_YEAR
        and MIN_YEAR <= occurred.year <= MAX_YEAR
        and occurred <= reported
        and bool(o.abuse_types)
        and o.victim.id != o.suspect.id
        and (len(children) < 2 or len(set(map(_id_of, children))) == len(children))
        and (
            o.attending_officer is None
            or (o.attending_officer != "" and not o.attending_officer.isspace())
        )
        and (o.area is None or _safe_id(o.area) is not None)
    )


def _judgement(o: ProfessionalJudgement) -> bool:
    return o.rationale != "" and not o.rationale.isspace()


def _completed(o: RiskForm | DaraForm) -> bool:
    """What a risk form and a DARA form share: ids, item ids, and the three times."""
    answers, completed, submitted, off_duty = (
        o.answers,
        o.completed_at,
        o.submitted_at,
        o.officer_off_duty_at,
    )
    return (
        (o.incident_id != "" and not o.incident_id.isspace())
        and (o.completed_by != "" and not o.completed_by.isspace())
        # Every item id a non-empty str that is not only white space (each is a str).
        and "" not in answers
        and not any(map(str.isspace, answers))
        and MIN_YEAR <= completed.year <= MAX_YEAR
        and (submitted is None or (MIN_YEAR <= submitted.year <= MAX_YEAR))
        and (off_duty is None or (MIN_YEAR <= off_duty.year <= MAX_YEAR))
        and (submitted is None or submitted >= completed)
    )


def _form(o: RiskForm) -> bool:
    return (o.checklist != "" and not o.checklist.isspace()) and _completed(o)


def _dara(o: DaraForm) -> bool:
    # A grade is a RiskGrade and a rationale a str or None: the structuring made them.
    return _completed(o)


def _case(o: Case) -> bool:
    incident, form, call, graded, dara = o.incident, o.form, o.call, o.graded_at, o.dara
    return (
        (form is None or form.incident_id == incident.id)
        and (dara is None or dara.incident_id == incident.id)
        and (call is None or incident.call_id is None or incident.call_id == call.id)
        and (
            graded is None
            or (MIN_YEAR <= graded.year <= MAX_YEAR and graded >= incident.reported_at)
        )
        and (graded is None) is (o.recorded_grade is None)
    )


# --- a decision's models ---------------------------------------------------------------


def _reason(o: Reason) -> bool:
    return (
        (o.rule != "" and not o.rule.isspace())
        and (o.source != "" and not o.source.isspace())
        and (o.text != "" and not o.text.isspace())
    )


def _plugin(o: PluginInfo) -> bool:
    return (o.name != "" and not o.name.isspace()) and (
        o.version != "" and not o.version.isspace()
    )


def _failure(o: PluginFailure) -> bool:
    return (
        (o.plugin != "" and not o.plugin.isspace())
        and (o.hook != "" and not o.hook.isspace())
        and (o.error != "" and not o.error.isspace())
    )


def _finding(o: Finding) -> bool:
    # The score is an int or None (never a bool): the structuring made it.
    score = o.score
    return (
        (o.model != "" and not o.model.isspace())
        and o.reasons != ()
        and (score is None or score >= 0)
    )


def _referral(o: Referral) -> bool:
    at = o.requested_at
    return (
        (o.victim_id != "" and not o.victim_id.isspace())
        and o.reasons != ()
        and (at is None or MIN_YEAR <= at.year <= MAX_YEAR)
    )


def _task(o: Task) -> bool:
    return (
        (o.what != "" and not o.what.isspace())
        and (o.for_whom != "" and not o.for_whom.isspace())
        and MIN_YEAR <= o.due_by.year <= MAX_YEAR
        and o.reasons != ()
        and (o.assignee is None or (o.assignee != "" and not o.assignee.isspace()))
    )


def _allocation(o: Allocation) -> bool:
    # Each skill an InvestigatorSkill and the level an InvestigatorLevel: the structuring.
    return o.reasons != () and o.skills == o.level.skills


def _decision(o: Decision) -> bool:
    version = o.policy_version
    return (
        (o.incident_id != "" and not o.incident_id.isspace())
        and (o.victim_id != "" and not o.victim_id.isspace())
        and MIN_YEAR <= o.decided_at.year <= MAX_YEAR
        and (version == "" or _safe_id(version) is not None)
        and o.reasons != ()
        and o.needs_review is (o.review_reasons != () or o.failures != ())
    )


#: Each model's check, and the fingerprint of the ``_problems`` it was written against.
CHECKS: dict[type, tuple[str, Callable[[Any], bool]]] = {
    Person: ("03d7f36e3678a7f2", _person),
    Child: ("31d8ac582b3f1706", _child),
    Relationship: ("ab5f86a4f3b6dd81", _relationship),
    Crime: ("9a0ff57d62e069ad", _crime),
    Call: ("58285dfd8aa1b38f", _call),
    Incident: ("f64ac0e74c46349f", _incident),
    ProfessionalJudgement: ("9d68bcf44c080e5c", _judgement),
    RiskForm: ("6fa099d6050ca181", _form),
    DaraForm: ("666c15448868e9c8", _dara),
    Case: ("5b531479d58bf1e1", _case),
    Reason: ("1b6a1e64b9af6c11", _reason),
    PluginInfo: ("4f2075d33f7a7353", _plugin),
    PluginFailure: ("681369663f098100", _failure),
    Finding: ("96f17b7c934c4396", _finding),
    Referral: ("70656c1e7fb2a186", _referral),
    Task: ("77d062dd1f0c98e3", _task),
    Allocation: ("8c5e578f8981174f", _allocation),
    Decision: ("933c548702d30b40", _decision),
}


@functools.cache
def fingerprint(cls: type) -> str | None:
    """A short hash of the tokens of ``cls._problems`` (comments and layout aside).

    ``None`` when the source cannot be read (an installation without ``.py`` files).
    Worked out once a class (the source does not change while dapolicy runs).
    """
    try:
        source = textwrap.dedent(inspect.getsource(cls._problems))  # type: ignore[attr-defined]
    except (OSError, TypeError, AttributeError):
        return None
    skipped = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE}
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    text = " ".join(token.string for token in tokens if token.type not in skipped)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_for(cls: type) -> Callable[[Any], bool] | None:
    """The check for ``cls``, if there is one written against its ``_problems`` as it is."""
    entry = CHECKS.get(cls)
    if entry is None or fingerprint(cls) != entry[0]:
        return None
    return entry[1]

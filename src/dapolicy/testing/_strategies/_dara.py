"""DARA forms and training registers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from dapolicy.models import (
    CaseRole,
    CourseRecord,
    DaraForm,
    Frequency,
    OfficerTraining,
    RiskGrade,
    RoleRequirement,
    TrainingRegister,
)
from dapolicy.testing._strategies._common import (
    _free_texts,
    _given_or,
    _ordered_pair,
    _references,
)
from dapolicy.testing._strategies._datetimes import aware_datetimes
from dapolicy.testing._strategies._enums import risk_grades

#: Item ids drawn when none are given (a force's own ids; DARA's are not public).
DARA_ITEMS = tuple(f"cc-{n}" for n in range(1, 13))


def frequencies() -> SearchStrategy[Frequency]:
    """Every :class:`~dapolicy.models.Frequency`, not known included."""
    return st.sampled_from(Frequency)


@st.composite
def _dara_form(
    draw: DrawFn,
    *,
    incident_ids: SearchStrategy[str],
    items: tuple[str, ...],
    values: SearchStrategy[Frequency],
    grades: SearchStrategy[RiskGrade | None],
    rationale: bool | None,
    datetimes: SearchStrategy[datetime],
) -> DaraForm:
    asked = draw(st.lists(st.sampled_from(items), unique=True)) if items else []
    completed_at, later = _ordered_pair(draw, datetimes)
    given = draw(st.booleans()) if rationale is None else rationale
    text = draw(_free_texts("rationale")) if given else draw(st.sampled_from((None, "", "  ")))
    return DaraForm(
        incident_id=draw(incident_ids),
        answers={item: draw(values) for item in asked},
        completed_by=draw(_references("PC")),
        completed_at=completed_at,
        grade=draw(grades),
        rationale=text,
        submitted_at=later if draw(st.booleans()) else None,
    )


def dara_forms(
    *,
    incident_id: str | SearchStrategy[str] | None = None,
    item_ids: Iterable[str] | None = None,
    answer_values: SearchStrategy[Frequency] | None = None,
    grades: RiskGrade | SearchStrategy[RiskGrade | None] | None = None,
    rationale: bool | None = None,
    datetimes: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[DaraForm]:
    """Completed DARA forms: frequency answers, the officer's grade and rationale.

    :param incident_id: the incident assessed, or a strategy of ids.
    :param item_ids: the item ids answers are drawn for; by default ``cc-1`` to ``cc-12``.
    :param answer_values: the answers; by default any :class:`Frequency`.
    :param grades: the officer's grade, or a strategy (``None`` among them: ungraded);
        by default any grade or none.
    :param rationale: ``True``: a written rationale; ``False``: none or blank;
        ``None`` (default): either.
    :param datetimes: where ``completed_at`` and ``submitted_at`` come from.
    :return: a strategy of valid :class:`~dapolicy.models.DaraForm`.
    """
    items = DARA_ITEMS if item_ids is None else tuple(dict.fromkeys(item_ids))
    default_grades: SearchStrategy[RiskGrade | None] = st.one_of(st.none(), risk_grades())
    return _dara_form(
        incident_ids=_given_or(incident_id, _references("INC")),
        items=items,
        values=_given_or(answer_values, frequencies()),
        grades=_given_or(grades, default_grades),
        rationale=rationale,
        datetimes=_given_or(datetimes, aware_datetimes()),
    )


_COURSES = ("da-first-response", "da-investigation", "coercive-control", "stalking")
_DAYS = st.dates(date(2005, 1, 1), date(2030, 12, 31))


@st.composite
def _course_records(draw: DrawFn) -> CourseRecord:
    done = draw(_DAYS)
    lapses = draw(st.one_of(st.none(), st.integers(0, 2000)))
    until = None if lapses is None else done + timedelta(days=lapses)
    return CourseRecord(draw(st.sampled_from(_COURSES)), done, until)


def training_registers() -> SearchStrategy[TrainingRegister]:
    """Training registers: each role's courses, officers' courses with dates."""
    requirements = st.lists(
        st.builds(
            RoleRequirement,
            role=st.sampled_from(CaseRole),
            courses=st.frozensets(st.sampled_from(_COURSES)),
        ),
        max_size=2,
        unique_by=lambda r: r.role,
    )
    officers = st.lists(
        st.builds(
            OfficerTraining,
            officer_id=_references("PC"),
            courses=st.lists(_course_records(), max_size=4).map(tuple),
        ),
        max_size=5,
        unique_by=lambda o: o.officer_id,
    )
    return st.builds(TrainingRegister, requirements=requirements, officers=officers)

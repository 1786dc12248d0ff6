"""Reasons, professional judgements, risk forms and findings."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import DrawFn, SearchStrategy

from dapolicy.models import (
    Answer,
    Finding,
    ProfessionalJudgement,
    Reason,
    RiskForm,
    RiskGrade,
)
from dapolicy.testing._strategies._common import (
    _CHECKLISTS,
    _DASH_ITEMS,
    _MODELS,
    _REASON_TEXTS,
    _RULES,
    _SOURCES,
    _free_texts,
    _given_or,
    _optional,
    _ordered_pair,
    _present,
    _references,
)
from dapolicy.testing._strategies._datetimes import aware_datetimes
from dapolicy.testing._strategies._enums import answers, risk_grades


@functools.cache
def _reason_lists(min_size: int, max_size: int) -> SearchStrategy[list[Reason]]:
    return st.lists(reasons(), min_size=min_size, max_size=max_size)


def reasons(
    *,
    rules: str | SearchStrategy[str] | None = None,
    sources: str | SearchStrategy[str] | None = None,
) -> SearchStrategy[Reason]:
    """Reasons with a rule id, a source and plain words (never personal data).

    :param rules: the rule id, or a strategy of them; by default ``model.rule-n`` ids.
    :param sources: the source, or a strategy of them; by default report
        recommendations, SafeLives criteria and force settings.
    :return: a strategy of valid :class:`~dapolicy.models.Reason`.
    """
    return st.builds(
        Reason,
        rule=_given_or(rules, st.sampled_from(_RULES)),
        source=_given_or(sources, st.sampled_from(_SOURCES)),
        text=st.sampled_from(_REASON_TEXTS),
    )


def professional_judgements(
    *, grades: RiskGrade | SearchStrategy[RiskGrade] | None = None
) -> SearchStrategy[ProfessionalJudgement]:
    """Officers' judgements, each with a fictional written rationale.

    :param grades: the grade, or a strategy of grades; by default any.
    :return: a strategy of valid :class:`~dapolicy.models.ProfessionalJudgement`.
    """
    return st.builds(
        ProfessionalJudgement,
        grade=_given_or(grades, risk_grades()),
        rationale=_free_texts("rationale"),
        refer_to_marac=st.booleans(),
    )


def _check_item_ids(item_ids: Iterable[str]) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(item_ids))
    if any(not isinstance(item, str) or not item.strip() for item in items):
        raise InvalidArgument("item_ids must be non-empty strings")
    return items


@st.composite
def _risk_form(
    draw: DrawFn,
    *,
    incident_ids: SearchStrategy[str],
    checklists: SearchStrategy[str],
    asked_items: SearchStrategy[list[str]],
    answer_values: SearchStrategy[Answer],
    submitted: bool | None,
    judgements: SearchStrategy[ProfessionalJudgement | None],
    datetimes: SearchStrategy[datetime],
) -> RiskForm:
    asked = draw(asked_items)
    completed_at, later = _ordered_pair(draw, datetimes)
    submitted_now = draw(st.booleans()) if submitted is None else submitted
    return RiskForm(
        incident_id=draw(incident_ids),
        checklist=draw(checklists),
        answers={item: draw(answer_values) for item in asked},
        completed_by=draw(_references("PC")),
        completed_at=completed_at,
        submitted_at=later if submitted_now else None,
        professional_judgement=draw(judgements),
        officer_off_duty_at=draw(datetimes) if draw(st.booleans()) else None,
    )


def risk_forms(
    *,
    incident_id: str | SearchStrategy[str] | None = None,
    checklist: str | SearchStrategy[str] | None = None,
    item_ids: Iterable[str] | None = None,
    answer_values: SearchStrategy[Answer] | None = None,
    answer_all: bool = False,
    submitted: bool | None = None,
    judgement: bool | None = None,
    datetimes: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[RiskForm]:
    """Completed risk checklists.

    :param incident_id: the incident assessed, or a strategy of ids.
    :param checklist: the checklist id, or a strategy of them; by default DASH, S-DASH,
        DIAL and a local one.
    :param item_ids: the item ids answers are drawn for; by default ``q1`` to ``q27``.
    :param answer_values: the answers given; by default any :class:`Answer`.
    :param answer_all: answer every item (by default a random subset is asked).
    :param submitted: ``True``: sent to the MASH (at or after completion); ``False``:
        not sent; ``None`` (default): either.
    :param judgement: ``True``: with a professional judgement; ``False``: without;
        ``None`` (default): either.
    :param datetimes: where ``completed_at``, ``submitted_at`` and
        ``officer_off_duty_at`` come from; by default :func:`aware_datetimes`.
    :return: a strategy of valid :class:`~dapolicy.models.RiskForm`.
    """
    items = _DASH_ITEMS if item_ids is None else _check_item_ids(item_ids)
    asked: SearchStrategy[list[str]]
    if answer_all or not items:
        asked = st.just(list(items))
    else:
        asked = st.lists(st.sampled_from(items), unique=True)
    return _risk_form(
        incident_ids=_given_or(incident_id, _references("INC")),
        checklists=_given_or(checklist, st.sampled_from(_CHECKLISTS)),
        asked_items=asked,
        answer_values=_given_or(answer_values, answers()),
        submitted=submitted,
        judgements=_present(professional_judgements(), judgement),
        datetimes=_given_or(datetimes, aware_datetimes()),
    )


def findings(
    *,
    model: str | SearchStrategy[str] | None = None,
    grades: RiskGrade | SearchStrategy[RiskGrade] | None = None,
) -> SearchStrategy[Finding]:
    """What a risk model found: a grade with at least one reason.

    :param model: the risk model's name, or a strategy of names.
    :param grades: the grade, or a strategy of grades; by default any.
    :return: a strategy of valid :class:`~dapolicy.models.Finding`.
    """
    return st.builds(
        Finding,
        model=_given_or(model, st.sampled_from(_MODELS)),
        grade=_given_or(grades, risk_grades()),
        reasons=st.lists(reasons(), min_size=1, max_size=3).map(tuple),
        score=_optional(st.integers(0, 10_000)),
        prompts=st.lists(reasons(), max_size=2).map(tuple),
    )

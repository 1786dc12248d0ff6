"""Plug-in records and the shapes of decisions (not derived by a policy)."""

from __future__ import annotations

import functools
from datetime import datetime

import attrs
from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from dapolicy.models import (
    Decision,
    PluginFailure,
    PluginInfo,
    Reason,
    Referral,
    RiskGrade,
    Task,
)
from dapolicy.testing._strategies._common import (
    _ERRORS,
    _FINGERPRINTS,
    _HOOKS,
    _MODELS,
    _given_or,
    _optional,
    _references,
    _safe_ids,
)
from dapolicy.testing._strategies._datetimes import aware_datetimes
from dapolicy.testing._strategies._enums import domestic_abuse_verdicts, risk_grades
from dapolicy.testing._strategies._risk import _reason_lists, findings
from dapolicy.testing._strategies._work import allocations, referrals, tasks


@functools.cache
def _failure_lists(min_size: int) -> SearchStrategy[list[PluginFailure]]:
    return st.lists(plugin_failures(), min_size=min_size, max_size=2)


def plugin_infos() -> SearchStrategy[PluginInfo]:
    """Plug-ins that took part in a decision, built-in or versioned.

    :return: a strategy of valid :class:`~dapolicy.models.PluginInfo`.
    """
    versions = st.one_of(
        st.just("builtin"),
        st.builds(
            lambda major, minor, patch: f"{major}.{minor}.{patch}",
            st.integers(0, 20),
            st.integers(0, 40),
            st.integers(0, 9),
        ),
    )
    return st.builds(PluginInfo, name=st.sampled_from(_MODELS), version=versions)


def plugin_failures() -> SearchStrategy[PluginFailure]:
    """Plug-ins that failed in a hook, with the exception type as the error.

    :return: a strategy of valid :class:`~dapolicy.models.PluginFailure`.
    """
    return st.builds(
        PluginFailure,
        plugin=st.sampled_from(_MODELS),
        hook=st.sampled_from(_HOOKS),
        error=st.sampled_from(_ERRORS),
    )


@st.composite
def _decision(
    draw: DrawFn,
    *,
    incident_ids: SearchStrategy[str],
    victim_ids: SearchStrategy[str],
    grades: SearchStrategy[RiskGrade],
    needs_review: bool | None,
    datetimes: SearchStrategy[datetime],
    referral_lists: SearchStrategy[list[Referral]],
    task_lists: SearchStrategy[list[Task]],
) -> Decision:
    victim_id = draw(victim_ids)
    review, review_reasons, failures = _review(draw, needs_review, with_reasons=True)
    return Decision(
        incident_id=draw(incident_ids),
        victim_id=victim_id,
        grade=draw(grades),
        decided_at=draw(datetimes),
        domestic_abuse=draw(_VERDICTS),
        reasons=draw(_reason_lists(1, 3)),
        findings=draw(_FINDING_LISTS),
        referrals=[attrs.evolve(r, victim_id=victim_id) for r in draw(referral_lists)],
        tasks=draw(task_lists),
        prompts=draw(_reason_lists(0, 2)),
        allocation=draw(_OPTIONAL_ALLOCATIONS),
        repeat_victim=draw(st.booleans()),
        needs_review=review,
        review_reasons=review_reasons,
        failures=failures,
        policy_fingerprint=draw(_FINGERPRINTS),
        policy_version=draw(st.just("") | _safe_ids("v")),
        plugins=draw(_PLUGIN_LISTS),
    )


def decisions(
    *,
    incident_id: str | SearchStrategy[str] | None = None,
    victim_id: str | SearchStrategy[str] | None = None,
    grades: RiskGrade | SearchStrategy[RiskGrade] | None = None,
    needs_review: bool | None = None,
    datetimes: SearchStrategy[datetime] | None = None,
) -> SearchStrategy[Decision]:
    """Decisions, with ``needs_review`` true exactly when there is a reason for review.

    Referrals are for the decision's victim. Nothing here is derived by a policy: these
    are shapes for serialization and consumer tests, not correct decisions.

    :param incident_id: the incident decided, or a strategy of ids.
    :param victim_id: the victim, or a strategy of ids.
    :param grades: the grade, or a strategy of grades; by default any.
    :param needs_review: ``True``: with review reasons or plug-in failures; ``False``:
        with neither; ``None`` (default): either.
    :param datetimes: where ``decided_at`` and every other datetime come from; by
        default :func:`aware_datetimes`.
    :return: a strategy of valid :class:`~dapolicy.models.Decision`.
    """
    times = _given_or(datetimes, aware_datetimes())
    return _decision(
        incident_ids=_given_or(incident_id, _references("INC")),
        victim_ids=_given_or(victim_id, _references("P")),
        grades=_given_or(grades, risk_grades()),
        needs_review=needs_review,
        datetimes=times,
        referral_lists=st.lists(referrals(datetimes=times), max_size=3),
        task_lists=st.lists(tasks(datetimes=times), max_size=3),
    )


def _review(
    draw: DrawFn, needs_review: bool | None, *, with_reasons: bool
) -> tuple[bool, list[Reason], list[PluginFailure]]:
    """``needs_review`` and what justifies it: review reasons and/or plug-in failures."""
    review = draw(st.booleans()) if needs_review is None else needs_review
    if not review:
        return False, [], []
    review_reasons = draw(_reason_lists(0, 2)) if with_reasons else []
    failures = draw(_failure_lists(0 if review_reasons else 1))
    return True, review_reasons, failures


_OPTIONAL_ALLOCATIONS = _optional(allocations())

_FINDING_LISTS = st.lists(findings(), max_size=3)

_PLUGIN_LISTS = st.lists(plugin_infos(), max_size=3)

_VERDICTS = domestic_abuse_verdicts()

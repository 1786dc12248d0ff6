"""The decision: what the policy concluded about one case, and how to re-derive it."""

from __future__ import annotations

from datetime import datetime

import attrs

from dapolicy.models._base import Checked, Problems, aware, fixed_offset, not_blank, to_tuple
from dapolicy.models._ids import safe_id
from dapolicy.models.incident import DomesticAbuseVerdict
from dapolicy.models.risk import Finding, Reason, RiskGrade
from dapolicy.models.work import Allocation, Destination, Referral, Task

__all__ = ["Decision", "PluginFailure", "PluginInfo"]


@attrs.frozen
class PluginInfo(Checked):
    """A plug-in that took part in a decision, so the decision can be re-derived.

    :param name: its registered name.
    :param version: its distribution's version, or ``"builtin"``.
    """

    name: str
    version: str

    def _problems(self) -> Problems:
        yield from not_blank("name", self.name)
        yield from not_blank("version", self.version)


@attrs.frozen
class PluginFailure(Checked):
    """A plug-in that failed while deciding; the decision then needs review.

    :param plugin: the plug-in's name.
    :param hook: the hook it failed in.
    :param error: what went wrong (the exception type, and the message only where it is
        dapolicy's own, which never carries personal data).
    """

    plugin: str
    hook: str
    error: str

    def _problems(self) -> Problems:
        yield from not_blank("plugin", self.plugin)
        yield from not_blank("hook", self.hook)
        yield from not_blank("error", self.error)


@attrs.frozen
class Decision(Checked):
    """The graded, explained outcome for one incident.

    :param incident_id: the incident decided.
    :param victim_id: its victim.
    :param grade: the highest grade any risk model gave, raised (never lowered) by
        professional judgement; ``HIGH`` is never hidden by a failure.
    :param decided_at: the ``now`` the policy was given.
    :param domestic_abuse: the verdict of the definition test (required: a decision
        never assumes a case is domestic abuse).
    :param reasons: why the grade is what it is (at least one).
    :param findings: each risk model's finding.
    :param referrals: referrals to make.
    :param tasks: tasks with due times.
    :param prompts: matters for the officer's professional judgement.
    :param allocation: who should investigate the crime (``None`` when no crime was
        recorded or no plug-in allocates).
    :param repeat_victim: another domestic-abuse incident within the force's window.
    :param needs_review: a person must look at this decision; true exactly when
        ``review_reasons`` or ``failures`` is not empty.
    :param review_reasons: why it needs review.
    :param failures: plug-ins that failed.
    :param policy_fingerprint: a digest of the policy configuration (of the version in
        force, with the plug-ins' versions).
    :param policy_version: the id of the policy version in force at ``decided_at`` for
        the incident's area (``"base"`` for a policy file with no versions); ``""``
        for a decision recorded before versions were.
    :param plugins: every plug-in that took part, with its version.
    """

    incident_id: str
    victim_id: str
    grade: RiskGrade
    decided_at: datetime = attrs.field(converter=fixed_offset)
    domestic_abuse: DomesticAbuseVerdict
    reasons: tuple[Reason, ...] = attrs.field(converter=to_tuple)
    findings: tuple[Finding, ...] = attrs.field(default=(), converter=to_tuple)
    referrals: tuple[Referral, ...] = attrs.field(default=(), converter=to_tuple)
    tasks: tuple[Task, ...] = attrs.field(default=(), converter=to_tuple)
    prompts: tuple[Reason, ...] = attrs.field(default=(), converter=to_tuple)
    allocation: Allocation | None = None
    repeat_victim: bool = False
    needs_review: bool = False
    review_reasons: tuple[Reason, ...] = attrs.field(default=(), converter=to_tuple)
    failures: tuple[PluginFailure, ...] = attrs.field(default=(), converter=to_tuple)
    policy_fingerprint: str = ""
    plugins: tuple[PluginInfo, ...] = attrs.field(default=(), converter=to_tuple)
    policy_version: str = ""

    def _problems(self) -> Problems:
        yield from not_blank("incident_id", self.incident_id)
        yield from not_blank("victim_id", self.victim_id)
        yield from aware("decided_at", self.decided_at)
        if self.policy_version != "":
            yield from safe_id("policy_version", self.policy_version)
        if not self.reasons:
            yield "reasons", "a decision needs at least one reason for its grade"
        flagged = bool(self.review_reasons or self.failures)
        if self.needs_review and not flagged:
            yield "needs_review", "set without a review reason or a failure"
        if flagged and not self.needs_review:
            yield "needs_review", "must be true when there are review reasons or failures"

    def referred_to(self) -> frozenset[Destination]:
        """The destinations this decision refers the victim to."""
        return frozenset(r.destination for r in self.referrals)

    def referral(self, destination: Destination | str) -> Referral | None:
        """The referral to ``destination`` (a :class:`Destination` or its value), if any.

        Referrals are merged by destination, so there is at most one.

        :raises ValueError: ``destination`` is a string no destination has as its value.
        """
        try:
            wanted = Destination(destination)
        except ValueError:
            known = ", ".join(d.value for d in Destination)
            raise ValueError(f"no destination has that value; one of: {known}") from None
        return next((r for r in self.referrals if r.destination is wanted), None)

    def rules(self) -> tuple[str, ...]:
        """Every rule id that fired, in the order the decision gives them, each once.

        From the grade's reasons, each finding's reasons and prompts, the referrals,
        the tasks, the allocation, the prompts and the review reasons.
        """
        groups: list[tuple[Reason, ...]] = [self.reasons]
        for finding in self.findings:
            groups += [finding.reasons, finding.prompts]
        groups += [r.reasons for r in self.referrals]
        groups += [t.reasons for t in self.tasks]
        if self.allocation is not None:
            groups.append(self.allocation.reasons)
        groups += [self.prompts, self.review_reasons]
        return tuple(dict.fromkeys(reason.rule for group in groups for reason in group))

    def fired(self, rule: str) -> bool:
        """Whether the rule with id ``rule`` (e.g. ``"marac.visible-high-risk"``) fired."""
        return rule in self.rules()

    @property
    def ungraded(self) -> bool:
        """No risk model gave a finding and nothing raised the grade.

        The grade then reads "standard" only until a person reviews the decision (it
        always needs review): count it as ungraded, never as standard.
        """
        return not self.findings and self.grade is RiskGrade.STANDARD

"""The force's local threshold rules, read from its settings: one standard force-wide.

- Series escalation (a risk model): so many domestic-abuse incidents within so many
  months sets a least grade (``settings.series``; by default a third incident in 12
  months is high). This is how a run of incidents, each minor on its own, is graded
  as the series it is -- the report's central concern. Non-crime incidents count the
  same as crimes.
- Partnership-hub referral: one declarative set of criteria (``settings.hub``) for
  crimes and non-crime incidents alike (recommendation 5).
"""

from __future__ import annotations

from collections.abc import Iterator

from dapolicy._time import months_before
from dapolicy.history import HistoryView
from dapolicy.hookspecs import hookimpl
from dapolicy.models import Decision, Destination, Finding, Incident, Referral
from dapolicy.models.risk import reason
from dapolicy.settings import Settings

SETTING = "force setting"


@hookimpl
def dapolicy_assess_risk(
    incident: Incident, history: HistoryView, settings: Settings
) -> Finding | None:
    """The least grade the victim's recent series of incidents implies, if any."""
    matched = []
    for rule in settings.series:
        since = months_before(incident.occurred_at, rule.months)
        count = 1 + history.count_incidents(
            incident.victim.id, since=since, until=incident.occurred_at, exclude=incident.id
        )
        if count >= rule.incidents:
            matched.append(
                (
                    rule.grade,
                    reason(
                        f"local.series.{rule.incidents}-in-{rule.months}m",
                        f"{SETTING} series: {rule.incidents} incidents in {rule.months} "
                        "months is at least " + rule.grade.value,
                        f"{count} domestic-abuse incidents in {rule.months} months, this "
                        "one included",
                    ),
                )
            )
    if not matched:
        return None
    grade = max(g for g, _ in matched)
    return Finding("series", grade, tuple(r for _, r in matched))


@hookimpl
def dapolicy_referrals(
    incident: Incident, decision: Decision, settings: Settings
) -> Iterator[Referral]:
    """Refer to the partnership hub when any of the force's criteria holds."""
    hub = settings.hub
    met = []
    if decision.grade in hub.grades:
        met.append(f"graded {decision.grade.value}")
    if hub.repeat_victims and decision.repeat_victim:
        met.append("repeat victim")
    if hub.children_in_household and incident.children_in_household:
        met.append("children present or usually resident")
    if hub.vulnerable_victims and incident.victim.vulnerabilities:
        met.append("vulnerable victim")
    kinds = sorted(a.value for a in incident.abuse_types & hub.abuse_types)
    if kinds:
        met.append("abuse of a kind always referred: " + ", ".join(kinds))
    if met:
        yield Referral._made(
            Destination.PARTNERSHIP_HUB,
            incident.victim.id,
            (
                reason(
                    "local.hub-threshold",
                    f"{SETTING} hub thresholds (HMIC 2014 recommendation 5)",
                    "; ".join(met),
                ),
            ),
            ("local-thresholds",),
        )

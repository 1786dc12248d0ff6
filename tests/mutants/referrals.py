"""Mutants that refer wrongly: MARAC, IDVA, children's social care, the hub."""

from __future__ import annotations

from collections.abc import Iterator

from dapolicy import hookimpl
from dapolicy._time import add_local
from dapolicy.models import (
    Child,
    Decision,
    Destination,
    DomesticAbuseVerdict,
    Incident,
    Referral,
    RiskForm,
    RiskGrade,
    Task,
)
from dapolicy.models._base import LONDON
from dapolicy.models.incident import ACT_DEFINITION_FROM
from mutants import Mutant, replacing
from mutants._common import reason, yes_count


class Safeguarding:
    """A force's own safeguarding plug-in, as the built-in does it (subclasses break it)."""

    def idva(self, incident: Incident, decision: Decision) -> bool:
        return decision.grade is RiskGrade.HIGH

    def household(self, incident: Incident) -> tuple[Child, ...]:
        return incident.children_in_household

    def checked(self, incident: Incident) -> tuple[Child, ...]:
        return self.household(incident)

    def under_16(self, decision: Decision) -> bool:
        return decision.domestic_abuse is DomesticAbuseVerdict.CHILD_SAFEGUARDING

    def child_victims(self, incident: Incident, decision: Decision) -> tuple[Child, ...]:
        """Victims in their own right (DA Act 2021 s.3), present or not, from 31 Jan 2022."""
        if (
            decision.domestic_abuse
            not in (
                DomesticAbuseVerdict.DOMESTIC_ABUSE,
                DomesticAbuseVerdict.UNDETERMINED,
            )
            or decision.decided_at.astimezone(LONDON).date() < ACT_DEFINITION_FROM
        ):
            return ()
        return incident.child_victims

    @hookimpl
    def dapolicy_referrals(self, incident: Incident, decision: Decision) -> Iterator[Referral]:
        victim = incident.victim.id
        if self.idva(incident, decision):
            yield Referral(Destination.IDVA, victim, (reason("sg.idva", "high risk"),))
        if self.household(incident):
            yield Referral(
                Destination.CHILDRENS_SOCIAL_CARE, victim, (reason("sg.children", "children"),)
            )
        if self.under_16(decision):
            yield Referral(
                Destination.CHILDRENS_SOCIAL_CARE, victim, (reason("sg.under-16", "under 16"),)
            )
        if self.child_victims(incident, decision):
            yield Referral(
                Destination.CHILDRENS_SOCIAL_CARE, victim, (reason("sg.s3", "child victims"),)
            )

    @hookimpl
    def dapolicy_tasks(self, incident: Incident, decision: Decision) -> Iterator[Task]:
        for child in self.child_victims(incident, decision):
            yield Task(
                "safeguard-child-victim",
                child.id,
                add_local(incident.reported_at, hours=24),
                (reason("sg.s3-task", "safeguard the child victim within 24 hours"),),
            )
        for child in self.checked(incident):
            hours = 1 if child.present else 24
            yield Task(
                "child-welfare-check",
                child.id,
                add_local(incident.reported_at, hours=hours),
                (reason("sg.welfare", f"check the child's welfare within {hours} hour(s)"),),
            )


class NoIdva(Safeguarding):
    """Refers high risk to an IDVA only when the victim asked for one (a form item)."""

    def idva(self, incident: Incident, decision: Decision) -> bool:
        return False


class PresentOnly(Safeguarding):
    """Safeguards children present at the incident, and forgets those usually resident."""

    def household(self, incident: Incident) -> tuple[Child, ...]:
        return tuple(c for c in incident.children if c.present)


class FirstChildOnly(Safeguarding):
    """Sets the welfare check for the first child of the household only."""

    def checked(self, incident: Incident) -> tuple[Child, ...]:
        return self.household(incident)[:1]


class NoUnder16(Safeguarding):
    """Leaves out the children's social care referral for a victim under 16."""

    def under_16(self, decision: Decision) -> bool:
        return False


class ChildVictimsAtHomeOnly(Safeguarding):
    """Safeguards child victims (s.3) only when present or usually resident: a child
    who lives elsewhere and heard the abuse on the phone is missed."""

    def child_victims(self, incident: Incident, decision: Decision) -> tuple[Child, ...]:
        return tuple(c for c in super().child_victims(incident, decision) if c.in_household)


class Marac:
    """MARAC for every high grade (the built-in's rule), broken by subclasses."""

    def refers(self, incident: Incident, decision: Decision) -> bool:
        return decision.grade is RiskGrade.HIGH

    @hookimpl
    def dapolicy_escalations(self, incident: Incident, decision: Decision) -> Iterator[Referral]:
        if self.refers(incident, decision):
            yield Referral(Destination.MARAC, incident.victim.id, (reason("marac.high"),))


class MaracForCrimes(Marac):
    """Refers high risk to MARAC only when a crime was recorded."""

    def refers(self, incident: Incident, decision: Decision) -> bool:
        return decision.grade is RiskGrade.HIGH and incident.crime is not None


class HubForCrimes:
    """Refers medium risk to the partnership hub, but only for crimes."""

    @hookimpl
    def dapolicy_referrals(
        self, incident: Incident, form: RiskForm | None, decision: Decision
    ) -> Iterator[Referral]:
        if incident.crime is not None and yes_count(form) >= 5:
            yield Referral(Destination.PARTNERSHIP_HUB, incident.victim.id, (reason("hub"),))


class ForgetsTheVictim:
    """Refers the suspect to the perpetrator programme, as a referral 'for' the suspect."""

    @hookimpl
    def dapolicy_referrals(self, incident: Incident) -> Iterator[Referral]:
        yield Referral(
            Destination.INTEGRATED_OFFENDER_MANAGEMENT, incident.suspect.id, (reason("iom"),)
        )


MUTANTS = [
    Mutant(
        "high-without-idva",
        "high risk without an IDVA referral",
        4,
        replacing(NoIdva, "safeguarding"),
    ),
    Mutant(
        "marac-only-for-crimes", "MARAC only for crimes", 4, replacing(MaracForCrimes, "marac")
    ),
    Mutant(
        "usually-resident-ignored",
        "'usually resident' children ignored",
        5,
        replacing(PresentOnly, "safeguarding"),
    ),
    Mutant(
        "second-child-unchecked",
        "the second child's welfare check missing",
        5,
        replacing(FirstChildOnly, "safeguarding"),
    ),
    Mutant(
        "under-16-not-referred",
        "a victim under 16 not referred to children's care",
        13,
        replacing(NoUnder16, "safeguarding"),
    ),
    Mutant(
        "child-victims-at-home-only",
        "a child victim in their own right (s.3) who lives elsewhere not safeguarded",
        13,
        replacing(ChildVictimsAtHomeOnly, "safeguarding"),
    ),
    Mutant(
        "hub-only-for-crimes",
        "partnership-hub referrals only for crimes",
        7,
        replacing(HubForCrimes),
    ),
    Mutant(
        "refers-the-suspect",
        "a referral for the suspect, not the victim",
        3,
        replacing(ForgetsTheVictim),
    ),
]

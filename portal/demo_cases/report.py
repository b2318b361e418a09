"""The summary `flask --app portal demo generate` prints: the cases by
status, window, channel and service, corrections, suspensions, lateness,
the clock, and the residence permits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from portal.demo_cases.permits import PERMIT_SERVICES
from portal.demo_cases.setting import Demo
from portal.domain import permits
from portal.domain.deadlines import case_level
from portal.models import Case, CaseStatus, PermitEndorsement, ResidencePermit
from portal.models.enums import NoticeKind


@dataclass
class Report:
    """What was generated, for the summary the command prints."""

    requested: int
    days: int
    seed: int
    by_status: Counter = field(default_factory=Counter)
    by_channel: Counter = field(default_factory=Counter)
    by_window: Counter = field(default_factory=Counter)
    services: set = field(default_factory=set)
    corrected: int = 0
    suspended: int = 0
    suspended_now: int = 0
    late: int = 0
    levels: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    permit_counts: Counter = field(default_factory=Counter)  # issued, endorsed, endorsed_late, replaced, refused
    earlier: int = 0  # first issues dated before the endorsements and replacements, not among the cases asked for

    @property
    def created(self) -> int:
        return sum(self.by_status.values())

    def count(self, demo: Demo, case: Case) -> None:
        self.by_status[case.status.value] += 1
        self.by_channel[case.channel.value] += 1
        self.by_window[case.receiving_county.value] += 1
        self.services.add(case.service.code)
        self.corrected += any(n.kind is NoticeKind.correction for n in case.notices)
        self.suspended += bool(case.suspensions)
        self.suspended_now += case.status is CaseStatus.suspended
        decided = case.status in (CaseStatus.completed, CaseStatus.refused, CaseStatus.delivered)
        self.late += bool(decided and case.due_at and case.closed_at and case.closed_at > case.due_at)
        level = case_level(demo.calendar, case, demo.now)
        if level is not None:
            self.levels[level.value] += 1
        if case.service.code in PERMIT_SERVICES:
            self.count_permit(demo, case)

    def count_permit(self, demo: Demo, case: Case) -> None:
        session = demo.session
        issued = session.scalar(select(ResidencePermit.id).where(ResidencePermit.case_id == case.id).limit(1))
        if issued is not None:
            self.permit_counts["replaced" if case.service.code == permits.REPLACE else "issued"] += 1
        endorsement = session.scalar(select(PermitEndorsement).where(PermitEndorsement.case_id == case.id))
        if endorsement is not None:
            self.permit_counts["endorsed"] += 1
            self.permit_counts["endorsed_late"] += endorsement.late
        # The rule refuses at completion: a decision with no officer's name.
        self.permit_counts["refused"] += any(n.kind is NoticeKind.decision_refusal and n.issued_by_id is None for n in case.notices)

    def lines(self) -> list[str]:
        lines = [f"Generated {self.created} demo cases over the last {self.days} days (seed {self.seed})."]
        lines.append("By status:")
        lines += [f"  {status.value:<22}{self.by_status[status.value]:>5}" for status in CaseStatus if self.by_status[status.value]]
        lines.append(
            f"Asked to correct before acceptance: {self.corrected} "
            f"({self.by_status['correction_requested']} still waiting for the applicant)"
        )
        lines.append(f"Suspended (special procedure): {self.suspended}, {self.suspended_now} of them still suspended")
        lines.append(f"Completed late (after the due date): {self.late}")
        on_clock = sum(self.levels.values())
        lines.append(
            f"Open on the clock: {on_clock} ({self.levels['overdue']} overdue, "
            f"{self.levels['due_soon']} due within 1 working day)"
        )
        lines.append(
            f"Windows: changshan {self.by_window['changshan']}, yushan {self.by_window['yushan']}; "
            f"channels: online {self.by_channel['online']}, counter {self.by_channel['counter']}; "
            f"services: {len(self.services)}"
        )
        p = self.permit_counts
        lines.append(
            f"Residence permits: {p['issued']} issued, {p['endorsed']} endorsed ({p['endorsed_late']} late), "
            f"{p['replaced']} replaced; {p['refused']} permit cases refused under the Interim Regulations on Residence Permits"
        )
        if self.earlier:
            lines.append(
                f"Earlier first issues of the permits endorsed or replaced: {self.earlier} "
                f"(dated before those cases, mostly before the period; not counted above)"
            )
        for reason, count in sorted(self.skipped.items()):
            lines.append(f"Not created: {count} ({reason})")
        return lines

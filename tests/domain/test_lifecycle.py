from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.domain import DomainError
from portal.domain.lifecycle import TRANSITIONS, allowed_actions, transition
from portal.models import CaseStatus, County, Event
from tests.factories import create_case, create_user

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def test_every_status_but_the_final_ones_has_a_way_forward():
    sources = {t.source for t in TRANSITIONS}
    assert sources == set(CaseStatus) - {
        CaseStatus.refused_intake, CaseStatus.delivered, CaseStatus.withdrawn,
    }


def test_accepting_sets_the_acceptance_time_and_writes_the_event(session):
    clerk = create_user(session, "clerk", window_county=County.changshan)
    case = create_case(session, status="submitted")
    transition(session, case, "accept", clerk, NOW, note="all present")
    assert case.status is CaseStatus.accepted and case.accepted_at == NOW
    event = session.scalar(select(Event).where(Event.case_id == case.id))
    assert (event.action, event.from_status, event.to_status, event.actor_role, event.note) == (
        "accept", "submitted", "accepted", "clerk", "all present",
    )


def test_a_clerk_of_the_other_window_may_not_decide(session):
    clerk = create_user(session, "clerk", window_county=County.yushan)
    case = create_case(session, status="submitted", receiving_county="changshan")
    with pytest.raises(DomainError) as caught:
        transition(session, case, "accept", clerk, NOW)
    assert caught.value.field == "actor"
    assert case.status is CaseStatus.submitted


def test_a_decision_on_a_case_no_longer_waiting_is_refused(session):
    clerk = create_user(session, "clerk")
    case = create_case(session, status="submitted")
    transition(session, case, "accept", clerk, NOW)
    with pytest.raises(DomainError) as caught:
        transition(session, case, "refuse_intake", clerk, NOW)
    assert caught.value.field == "status"
    assert session.scalar(select(Event.action).where(Event.case_id == case.id).order_by(Event.id.desc())) == "accept"


def test_only_the_applicant_withdraws_among_residents(session):
    owner = create_user(session, "resident")
    stranger = create_user(session, "resident")
    case = create_case(session, status="submitted", applicant=owner)
    with pytest.raises(DomainError):
        transition(session, case, "withdraw", stranger, NOW)
    transition(session, case, "withdraw", owner, NOW, note="moved away")
    assert case.status is CaseStatus.withdrawn and case.closed_at == NOW
    assert allowed_actions(case) == set()


def test_completed_cases_cannot_be_withdrawn(session):
    owner = create_user(session, "resident")
    case = create_case(session, status="completed", applicant=owner)
    with pytest.raises(DomainError):
        transition(session, case, "withdraw", owner, NOW)

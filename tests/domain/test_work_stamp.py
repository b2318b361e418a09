"""The work stamp: renewed by every committed change to what a kept page
shows (cases, tasks, timelines, tallies, accounts), and by nothing else,
so a process keeps a staff page or a tracking result exactly while it is
true and no longer."""

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from portal.domain.lifecycle import transition
from portal.domain.stamps import read_stamp
from portal.models import Case, OutboxMessage, WorkerHeartbeat
from tests.factories import create_case, create_user, now


def test_a_status_change_committed_elsewhere_renews_the_stamp(session):
    case = create_case(session, status="submitted")
    clerk = create_user(session, "clerk")
    session.commit()
    stamp = read_stamp(session, "work")
    assert stamp is not None
    with Session(bind=session.get_bind()) as elsewhere:  # another worker, another host
        transition(elsewhere, elsewhere.get(Case, case.id), "accept", elsewhere.get(type(clerk), clerk.id), now())
        assert read_stamp(session, "work") == stamp  # not before it commits
        elsewhere.commit()
    session.rollback()  # end this session's own transaction, as a new request would
    assert read_stamp(session, "work") != stamp


def test_a_statement_on_cases_through_the_session_renews_the_stamp(session):
    case = create_case(session, status="submitted")
    session.commit()
    stamp = read_stamp(session, "work")
    session.execute(update(Case).where(Case.id == case.id).values(applicant_name="王五"))
    session.commit()
    assert read_stamp(session, "work") != stamp


def test_reading_and_the_workers_own_bookkeeping_leave_the_stamp(session):
    create_case(session, status="submitted")
    session.commit()
    stamp = read_stamp(session, "work")
    session.get(Case, session.query(Case.id).scalar())
    session.commit()  # a page that only read
    session.add(WorkerHeartbeat(id="w-1", host="portal-1", pid=4242, started_at=now(), beat_at=now()))
    session.commit()
    session.execute(update(OutboxMessage).values(claimed_until=now() + timedelta(minutes=1)))
    session.commit()
    assert read_stamp(session, "work") == stamp


def test_a_change_rolled_back_leaves_the_stamp_and_the_next_commit_clean(session):
    case = create_case(session, status="submitted")
    session.commit()
    stamp = read_stamp(session, "work")
    session.get(Case, case.id).applicant_name = "赵六"
    session.flush()
    session.rollback()
    session.commit()
    assert read_stamp(session, "work") == stamp


def test_a_sign_in_leaves_the_stamp_and_a_new_name_renews_it(session):
    user = create_user(session, "officer", agency_code="cs-psb")
    session.commit()
    stamp = read_stamp(session, "work")
    user.last_login_at = now()  # what every sign-in writes on the account (accounts.check_sign_in)
    session.commit()
    assert read_stamp(session, "work") == stamp
    user.real_name = "郑强强"  # shown on the queue of every colleague
    session.commit()
    assert read_stamp(session, "work") != stamp


def test_the_stamp_is_the_last_row_a_commit_writes(session):
    from sqlalchemy import event

    case = create_case(session, status="submitted")
    session.commit()
    written: list[str] = []
    engine = session.get_bind()

    def note(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")):
            words = statement.split()
            written.append(words[2] if words[0].upper() in ("INSERT", "DELETE") else words[1])

    event.listen(engine, "before_cursor_execute", note)
    try:
        session.get(Case, case.id).applicant_name = "孙八"  # not flushed before the commit
        session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert written[-1] == "data_stamp" and "case_record" in written

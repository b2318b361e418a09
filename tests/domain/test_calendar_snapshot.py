"""Each process keeps the calendar it read until the calendar's stamp
changes: one single-row read per request instead of the whole table, and
a correction made anywhere is seen at the next request everywhere."""

from datetime import date

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.domain.calendar import correct_day
from portal.domain.clock import current_calendar
from portal.domain.stamps import read_stamp
from portal.models import CalendarDay
from tests.factories import create_user, now


def statements(session, action) -> tuple[object, list[str]]:
    seen: list[str] = []
    engine = session.get_bind()

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        return action(), seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_second_request_reuses_the_snapshot_with_one_single_row_read(session):
    first = current_calendar(session)
    session.commit()
    again, seen = statements(session, lambda: current_calendar(session))
    assert again is first
    assert len(seen) == 1 and "data_stamp" in seen[0]


def test_a_correction_committed_by_another_process_is_seen_at_the_next_request(session):
    day = date(2026, 11, 4)  # a Wednesday
    before = current_calendar(session)
    assert before.is_workday(day)
    session.commit()
    with Session(bind=session.get_bind()) as elsewhere:  # another worker, another host
        admin = create_user(elsewhere, "admin")
        correct_day(elsewhere, day, False, "台风停工", "typhoon closure", admin, now())
        elsewhere.commit()
    after = current_calendar(session)
    assert after is not before and not after.is_workday(day)
    assert before.is_workday(day)  # a request already under way keeps its own snapshot


def test_a_calendar_change_rolled_back_leaves_no_new_stamp(session):
    stamp = read_stamp(session, "calendar")
    row = session.get(CalendarDay, date(2026, 11, 5))
    row.name = "试探"
    session.flush()
    assert read_stamp(session, "calendar") != stamp
    session.rollback()
    assert read_stamp(session, "calendar") == stamp
    assert current_calendar(session).is_workday(date(2026, 11, 5))

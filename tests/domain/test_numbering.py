import threading
from datetime import UTC, datetime

from sqlalchemy import select

from portal.db import db
from portal.domain.numbering import new_query_code, next_case_number
from portal.models import CaseSequence, County


def test_numbers_carry_the_window_the_shanghai_date_and_a_daily_sequence(session):
    late = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)  # 01:30 on 11-28 in Shanghai
    assert next_case_number(session, County.changshan, late) == "KSCS202611280001"
    assert next_case_number(session, County.changshan, late) == "KSCS202611280002"
    assert next_case_number(session, County.yushan, late) == "KSYS202611280001"
    next_day = datetime(2026, 11, 28, 17, 0, tzinfo=UTC)
    assert next_case_number(session, County.changshan, next_day) == "KSCS202611290001"


def test_query_codes_are_six_digits():
    codes = {new_query_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 150


def test_concurrent_numbering_never_repeats_a_number(app):
    now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    numbers, errors = [], []

    def worker():
        try:
            with app.app_context():
                for _ in range(10):
                    numbers.append(next_case_number(db.session, County.yushan, now))
                    db.session.commit()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(numbers) == 40 and len(set(numbers)) == 40
    assert sorted(numbers)[-1] == "KSYS202611300040"
    with app.app_context():
        assert db.session.scalar(select(CaseSequence.last).where(CaseSequence.county == County.yushan)) == 40

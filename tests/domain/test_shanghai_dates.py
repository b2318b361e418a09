"""Dates people see and rules apply are Shanghai dates: between 00:00 and
08:00 in Shanghai the UTC date is still yesterday."""

from datetime import UTC, datetime

from portal.domain.accounts import register_resident
from tests.factories import PASSWORDS, mobile_number, valid_id_number

# 01:30 on 2 December 2026 in Shanghai.
AFTER_MIDNIGHT = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)


def test_a_resident_born_today_in_shanghai_can_register_after_midnight(session):
    born_today = valid_id_number(birth="20261202")
    user = register_resident(
        session, real_name="王小宝", id_number=born_today, mobile=mobile_number(), password="correct-horse-42",
        now=AFTER_MIDNIGHT, passwords=PASSWORDS,
    )
    assert user.id_number == born_today

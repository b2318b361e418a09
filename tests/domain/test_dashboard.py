"""Dashboard figures against hand-computed expectations on a small fixed
data set, run through the real lifecycle: a case decided on a make-up
Saturday, a corrected and suspended case finished late, a refusal at
intake, an open overdue case and two on-the-spot services."""

from datetime import date

import pytest
from sqlalchemy import select

from portal.domain.dashboard import Filters, dashboard, percentile
from portal.domain.tallies import rebuild_tallies
from portal.models import Agency, CaseTally, TallyValue
from portal.models.enums import Channel, County, ServiceMode
from tests.factories import at
from tests.tracking_data import build_october

OCTOBER = Filters(start=date(2026, 10, 1), end=date(2026, 10, 31))


@pytest.fixture
def october(session):
    return build_october(session)


def test_the_fixed_month_gives_the_hand_computed_figures(session, october):
    board = dashboard(session, OCTOBER, at("2026-10-30"))
    t = board.totals
    assert (t.received, t.accepted, t.corrected, t.refused_intake) == (6, 5, 1, 1)
    assert (t.waiting, t.in_progress, t.suspended) == (0, 1, 0)
    # A, and E and F: an online service's result is delivered electronically when decided.
    assert (t.completed, t.refused, t.withdrawn, t.delivered) == (4, 0, 0, 3)
    assert t.decided == 4 and t.on_time == 3 and t.on_time_rate == 0.75
    assert t.within_target == 3  # A in 2, E and F in 0; B took 4
    assert t.mean_turnaround == 1.5  # (2 + 4 + 0 + 0) / 4: B's two suspended days excluded
    assert board.turnaround_p90 == 4
    assert t.correction_rate == pytest.approx(1 / 6)
    # Intake minutes 5, 20, 30, 180, 780.
    assert (board.intake_median, board.intake_p90) == (30, 780)
    assert (t.instant_decided, t.instant_same_day, t.same_day_rate) == (2, 1, 0.5)


def test_the_agency_table_counts_each_agencys_cases_tasks_and_overdue_work(session, october):
    board = dashboard(session, OCTOBER, at("2026-10-30"))
    rows = {agency.code: (f, overdue) for agency, f, overdue in board.agencies}
    assert set(rows) == {"cs-psb", "cs-hrss"}
    psb, psb_overdue = rows["cs-psb"]
    assert (psb.received, psb.decided, psb.on_time) == (3, 2, 1)
    assert (psb.tasks, psb.tasks_closed, psb.task_workdays_sum, psb.tasks_late) == (3, 2, 6, 1)
    assert psb.mean_task_workdays == 3.0 and psb_overdue == 1
    hrss, hrss_overdue = rows["cs-hrss"]
    assert (hrss.received, hrss.decided, hrss.on_time_rate, hrss_overdue) == (2, 2, 1.0, 0)
    assert [t.case.number for t in board.overdue] == [october["D"].number]
    assert board.overdue_total == 1


def test_weeks_run_from_monday_and_include_empty_ones(session, october):
    board = dashboard(session, OCTOBER, at("2026-10-30"))
    weeks = [(monday.isoformat(), f.received, f.decided) for monday, f in board.weeks]
    assert weeks == [
        ("2026-09-28", 0, 0), ("2026-10-05", 2, 2), ("2026-10-12", 2, 0), ("2026-10-19", 2, 2), ("2026-10-26", 0, 0)
    ]


def test_filters_narrow_every_figure(session, october):
    counter = dashboard(session, Filters(OCTOBER.start, OCTOBER.end, channel=Channel.counter), at("2026-10-30"))
    assert (counter.totals.received, counter.totals.decided, counter.totals.on_time) == (3, 2, 2)
    online_mode = dashboard(session, Filters(OCTOBER.start, OCTOBER.end, mode=ServiceMode.online), at("2026-10-30"))
    assert (online_mode.totals.received, online_mode.totals.decided) == (2, 2)
    hrss = session.scalar(select(Agency).where(Agency.code == "cs-hrss"))
    by_agency = dashboard(session, Filters(OCTOBER.start, OCTOBER.end, agency_id=hrss.id), at("2026-10-30"))
    assert by_agency.totals.received == 2 and by_agency.overdue_total == 0
    one_week = dashboard(session, Filters(date(2026, 10, 12), date(2026, 10, 18)), at("2026-10-30"))
    assert (one_week.totals.received, one_week.totals.refused_intake, one_week.totals.in_progress) == (2, 1, 1)
    # Overdue work stays listed whatever the range: it still needs action.
    assert one_week.overdue_total == 1
    november = dashboard(session, Filters(date(2026, 11, 1), date(2026, 11, 30)), at("2026-10-30"))
    assert november.totals.received == 0 and november.totals.on_time_rate is None


def test_the_overdue_work_follows_the_filters_on_its_case_and_service(session, october):
    late = october["D"]
    other_channel = next(c for c in Channel if c is not late.channel)
    other_mode = next(m for m in ServiceMode if m is not late.service.mode)
    other_county = next(c for c in County if c is not late.receiving_county)

    def overdue(**narrowed) -> int:
        return dashboard(session, Filters(OCTOBER.start, OCTOBER.end, **narrowed), at("2026-10-30")).overdue_total

    assert overdue(channel=late.channel, county=late.receiving_county, mode=late.service.mode) == 1
    assert overdue(service_code=late.service.code, department=late.service.department) == 1
    assert overdue(channel=other_channel) == 0
    assert overdue(county=other_county) == 0
    assert overdue(mode=other_mode) == 0


def test_a_rebuild_gives_the_tallies_the_lifecycle_kept(session, october):
    def snapshot():
        tallies = session.execute(select(CaseTally).order_by(*CaseTally.__table__.primary_key.columns)).scalars()
        values = session.execute(select(TallyValue).order_by(*TallyValue.__table__.primary_key.columns)).scalars()
        columns = [c.name for c in CaseTally.__table__.columns]
        return (
            [tuple(getattr(t, c) for c in columns) for t in tallies],
            [(v.day, v.service_id, v.agency_id, v.measure, v.value, v.count) for v in values],
        )

    kept = snapshot()
    session.expire_all()
    rebuild_tallies(session)
    session.commit()
    assert snapshot() == kept
    assert kept[0]


@pytest.mark.parametrize(
    "counts, p, expected",
    [([], 90, None), ([(3, 1)], 50, 3), ([(0, 2), (2, 1), (4, 1)], 90, 4), ([(0, 5), (9, 5)], 50, 0), ([(0, 5), (9, 6)], 50, 9)],
)
def test_percentiles_take_the_nearest_rank(counts, p, expected):
    assert percentile(counts, p) == expected


def test_the_rebuild_command_puts_back_tallies_that_were_lost(session, october, runner):
    """`flask sla rebuild` after a repair: the figures are those the
    lifecycle kept (and on PostgreSQL the replaced rows are reclaimed)."""
    kept = dashboard(session, OCTOBER, at("2026-10-30")).totals
    session.execute(CaseTally.__table__.delete())
    session.execute(TallyValue.__table__.delete())
    session.commit()
    assert dashboard(session, OCTOBER, at("2026-10-30")).totals.received == 0
    result = runner.invoke(args=["sla", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "tally row(s) in place." in result.output
    session.expire_all()
    assert dashboard(session, OCTOBER, at("2026-10-30")).totals == kept

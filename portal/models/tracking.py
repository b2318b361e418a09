"""What the clock watches: alerts raised by the SLA sweep, and the daily
tallies the supervisor's dashboard sums."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base
from portal.models.case import Case
from portal.models.enums import AlertLevel, Channel, County, constrained
from portal.models.task import Task
from portal.models.types import UTCDateTime


class SlaAlert(Base):
    """A task or case that entered "due within 1 working day" or "overdue".
    The key (subject, id, level, due date) is unique, so each alert is raised
    once however many sweeps run; a due date that moves raises a new one."""

    __tablename__ = "sla_alert"
    __table_args__ = (
        Index("ix_sla_alert_agency_time", "agency_id", "created_at"),
        Index("ix_sla_alert_window_time", "window_county", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    level: Mapped[AlertLevel] = mapped_column(constrained(AlertLevel, "alert_level"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id", ondelete="CASCADE"))
    case: Mapped[Case] = relationship()
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    task: Mapped[Task | None] = relationship()
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))  # task alerts: the acting agency
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # the responsible officer
    window_county: Mapped[County | None] = mapped_column(constrained(County, "county"))  # case alerts
    # A paper file in transit too long (收受分离): seen by the sending window and the competent agency.
    paper_file_id: Mapped[int | None] = mapped_column(ForeignKey("paper_file.id", ondelete="CASCADE"))
    paper_file = relationship("PaperFile")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseTally(Base):
    """Cases received on one day for one service, window and channel: with
    agency_id 0 the whole cohort, otherwise the cases in which that agency
    had a task, with the agency's own task figures. Rebuilt for its group by
    the lifecycle whenever one of its cases changes."""

    __tablename__ = "case_tally"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True)
    county: Mapped[County] = mapped_column(constrained(County, "county"), primary_key=True)
    channel: Mapped[Channel] = mapped_column(constrained(Channel, "channel"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0: every case of the group

    received: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    corrected: Mapped[int] = mapped_column(Integer, default=0)
    refused_intake: Mapped[int] = mapped_column(Integer, default=0)
    waiting: Mapped[int] = mapped_column(Integer, default=0)  # at the window: submitted or in correction
    in_progress: Mapped[int] = mapped_column(Integer, default=0)
    suspended: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)  # decided: granted (delivered or not)
    refused: Mapped[int] = mapped_column(Integer, default=0)  # decided: refused (delivered or not)
    withdrawn: Mapped[int] = mapped_column(Integer, default=0)
    delivered: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    within_target: Mapped[int] = mapped_column(Integer, default=0)  # decided within 3 working days
    turnaround_sum: Mapped[int] = mapped_column(Integer, default=0)
    instant_decided: Mapped[int] = mapped_column(Integer, default=0)
    instant_same_day: Mapped[int] = mapped_column(Integer, default=0)
    tasks: Mapped[int] = mapped_column(Integer, default=0)
    tasks_closed: Mapped[int] = mapped_column(Integer, default=0)
    task_workdays_sum: Mapped[int] = mapped_column(Integer, default=0)
    tasks_late: Mapped[int] = mapped_column(Integer, default=0)
    rated: Mapped[int] = mapped_column(Integer, default=0)  # 好差评
    score_sum: Mapped[int] = mapped_column(Integer, default=0)
    rated_low: Mapped[int] = mapped_column(Integer, default=0)  # 2 or less
    follow_ups: Mapped[int] = mapped_column(Integer, default=0)
    follow_ups_on_time: Mapped[int] = mapped_column(Integer, default=0)
    follow_ups_late: Mapped[int] = mapped_column(Integer, default=0)


class TallyValue(Base):
    """How many cases of a tally group had each value of a measure
    (``turnaround`` in working days, ``intake`` in minutes, rounded to the
    minute up to 2 hours and to 10 minutes beyond): percentiles are read
    from these counts, a bounded query whatever the number of cases."""

    __tablename__ = "tally_value"
    # What the percentiles read, a measure's counts for the whole group or
    # an agency over a range of days, from the index alone.
    __table_args__ = (Index("ix_tally_value_measure", "measure", "agency_id", "day", "value", "count"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True)
    county: Mapped[County] = mapped_column(constrained(County, "county"), primary_key=True)
    channel: Mapped[Channel] = mapped_column(constrained(Channel, "channel"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure: Mapped[str] = mapped_column(String(12), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)

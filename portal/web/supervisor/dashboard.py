"""The supervisor's dashboard and its CSV exports."""

from __future__ import annotations

from datetime import UTC

from flask import render_template, request
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from portal import labels
from portal.db import db
from portal.domain.catalog import list_agencies, service_outlines
from portal.domain.dashboard import Filters, cases_query, dashboard, month_range
from portal.domain.ratings import next_clock_change, rating_figures
from portal.i18n import localized
from portal.models import Role
from portal.models.enums import Channel, County, Department, ServiceMode
from portal.security import role_required
from portal.web.clock import request_now, request_today
from portal.web.exports import csv_response
from portal.web.fragments import work_fragment
from portal.web.supervisor.forms import ANY, DashboardFilterForm
from portal.web.supervisor.views import bp

SORTS = {
    "name": lambda row: row[0].code,
    "received": lambda row: row[1].received,
    "decided": lambda row: row[1].decided,
    "on_time_rate": lambda row: -1 if row[1].on_time_rate is None else row[1].on_time_rate,
    "mean_turnaround": lambda row: -1 if row[1].mean_turnaround is None else row[1].mean_turnaround,
    "correction_rate": lambda row: -1 if row[1].correction_rate is None else row[1].correction_rate,
    "task_workdays": lambda row: -1 if row[1].mean_task_workdays is None else row[1].mean_task_workdays,
    "tasks_late": lambda row: row[1].tasks_late,
    "overdue": lambda row: row[2] if len(row) > 2 else 0,
}


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(*ANY)] + [SelectChoice(value, label) for value, label in pairs]


def filter_form() -> tuple[DashboardFilterForm, Filters]:
    """The form with its choices, and the filters it gives (this month when
    the dates are missing or wrong; a wrong field is shown with its message)."""
    form = DashboardFilterForm(request.args, meta={"csrf": False})
    form.county.choices = _choices((c.value, labels.WINDOWS[c.value]) for c in County)
    form.department.choices = _choices((d.value, labels.DEPARTMENTS[d.value]) for d in Department)
    form.agency.choices = _choices((str(a.id), localized(a, "name")) for a in list_agencies(db.session))
    form.service.choices = _choices((s.code, localized(s, "name")) for s in service_outlines(db.session))
    form.channel.choices = _choices((c.value, labels.CHANNELS[c.value]) for c in Channel)
    form.mode.choices = _choices((m.value, labels.MODES[m.value]) for m in ServiceMode)
    start, end = month_range(request_today())
    valid = form.validate()
    if valid and form.start.data:
        start = form.start.data
    if valid and form.end.data:
        end = form.end.data
    if start > end:  # only a start given, later than today
        end = start

    def pick(name, kind):
        value = getattr(form, name).data
        return kind(value) if value and not getattr(form, name).errors else None

    filters = Filters(
        start=start,
        end=end,
        county=pick("county", County),
        department=pick("department", Department),
        agency_id=pick("agency", int),
        service_code=pick("service", str),
        channel=pick("channel", Channel),
        mode=pick("mode", ServiceMode),
    )
    form.start.data, form.end.data = filters.start, filters.end
    return form, filters


def sorted_rows(rows: list, param: str, default: str = "received") -> tuple[list, str, bool]:
    """Rows ordered by the column named in ``?<param>=column`` (``-column`` descending)."""
    wanted = request.args.get(param, f"-{default}")
    descending = wanted.startswith("-")
    key = wanted.lstrip("-")
    if key not in SORTS:
        key, descending = default, True
    return sorted(rows, key=SORTS[key], reverse=descending), key, descending


@bp.get("/dashboard")
@role_required(Role.supervisor, Role.admin)
def dashboard_page():
    """Every supervisor sees the same figures for the same filters, so the
    page below its header is kept per address while the work is unchanged
    and until the clock would change it (an open task or follow-up falls
    overdue, the day ends: ``ratings.next_clock_change``)."""
    now = request_now()

    def render() -> str:
        form, filters = filter_form()
        data = dashboard(db.session, filters, now)
        services, service_sort, service_desc = sorted_rows(data.services, "service_sort")
        agencies, agency_sort, agency_desc = sorted_rows(data.agencies, "agency_sort")
        return render_template(
            "supervisor/_dashboard_content.html",
            form=form,
            data=data,
            filters=filters,
            services=services,
            agencies=agencies,
            sorting={"service_sort": (service_sort, service_desc), "agency_sort": (agency_sort, agency_desc)},
            charts=chart_data(data, agencies),
            ratings=rating_figures(db.session, filters, now),
        )

    content = work_fragment("dashboard", render, request.full_path, clock=next_clock_change(db.session, now))
    return render_template("supervisor/dashboard.html", content=content)


def chart_data(data, agencies) -> dict:
    """What the two charts draw, in the page's language; the tables beside
    them hold the same numbers."""
    return {
        "weekly": {
            "weeks": [monday.isoformat() for monday, _f in data.weeks],
            "received": [f.received for _m, f in data.weeks],
            "decided": [f.decided for _m, f in data.weeks],
            "on_time_rate": [None if f.on_time_rate is None else round(f.on_time_rate * 100, 1) for _m, f in data.weeks],
            "labels": {"received": _("Cases received"), "decided": _("Decided"), "on_time_rate": _("On time (%)")},
        },
        "agencies": {
            "names": [localized(a, "name") for a, _f, _o in agencies],
            "tasks": [f.tasks for _a, f, _o in agencies],
            "late": [f.tasks_late for _a, f, _o in agencies],
            "overdue": [o for _a, _f, o in agencies],
            "labels": {"tasks": _("Tasks"), "late": _("Finished late"), "overdue": _("Open and overdue")},
        },
    }


# -- exports ---------------------------------------------------------------

def _pct(value):
    return "" if value is None else f"{value * 100:.1f}"


def _mean(value):
    return "" if value is None else f"{value:.2f}"


FIGURE_HEADER = (
    "received", "accepted", "corrected", "refused_intake", "waiting", "in_progress", "suspended",
    "completed", "refused", "withdrawn", "delivered", "decided", "on_time", "on_time_rate_pct",
    "within_3_workdays", "mean_turnaround_workdays",
)


def _figure_cells(f) -> list:
    return [
        f.received, f.accepted, f.corrected, f.refused_intake, f.waiting, f.in_progress, f.suspended,
        f.completed, f.refused, f.withdrawn, f.delivered, f.decided, f.on_time, _pct(f.on_time_rate),
        f.within_target, _mean(f.mean_turnaround),
    ]


def _file_name(kind: str, filters: Filters) -> str:
    return f"{kind}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"


@bp.get("/dashboard/services.csv")
@role_required(Role.supervisor, Role.admin)
def export_services():
    _form, filters = filter_form()
    data = dashboard(db.session, filters, request_now())
    rows = (
        [service.code, service.name_zh, service.name_en, *_figure_cells(f)]
        for service, f in sorted(data.services, key=lambda r: r[0].position)
    )
    return csv_response(_file_name("services", filters), ["service_code", "service_zh", "service_en", *FIGURE_HEADER], rows)


@bp.get("/dashboard/agencies.csv")
@role_required(Role.supervisor, Role.admin)
def export_agencies():
    _form, filters = filter_form()
    data = dashboard(db.session, filters, request_now())
    rows = (
        [
            agency.code, agency.name_zh, agency.name_en, *_figure_cells(f),
            f.tasks, f.tasks_closed, _mean(f.mean_task_workdays), f.tasks_late, overdue,
        ]
        for agency, f, overdue in sorted(data.agencies, key=lambda r: r[0].code)
    )
    header = [
        "agency_code", "agency_zh", "agency_en", *FIGURE_HEADER,
        "tasks", "tasks_closed", "mean_task_workdays", "tasks_closed_late", "tasks_open_overdue",
    ]
    return csv_response(_file_name("agencies", filters), header, rows)


CASE_HEADER = [
    "case_number", "service_code", "service_zh", "window", "channel", "status", "received_at",
    "accepted_at", "due_at", "decided_at", "outcome", "turnaround_workdays", "on_time", "corrected",
    "delivered_at",
]


def _stamp(moment) -> str:
    return "" if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


@bp.get("/dashboard/cases.csv")
@role_required(Role.supervisor, Role.admin)
def export_cases():
    """Every case received in the range with the filters applied; no
    applicant's personal data."""
    _form, filters = filter_form()

    def rows():
        for case in db.session.scalars(cases_query(filters).execution_options(yield_per=1000)):
            yield [
                case.number, case.service.code, case.service.name_zh, case.receiving_county.value,
                case.channel.value, case.status.value, _stamp(case.submitted_at), _stamp(case.accepted_at),
                _stamp(case.due_at), _stamp(case.closed_at) if case.outcome else "", case.outcome or "",
                "" if case.turnaround_workdays is None else case.turnaround_workdays,
                "" if case.on_time is None else ("yes" if case.on_time else "no"),
                "yes" if case.corrected else "no", _stamp(case.delivered_at),
            ]

    return csv_response(_file_name("cases", filters), CASE_HEADER, rows())

"""The administrator's calendar page: a year's holidays and make-up days,
its status, corrections of single days and the official schedule import."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.db import db
from portal.domain import DomainError
from portal.domain.calendar import correct_day, import_schedule, parse_schedule, year_overview
from portal.models import Role
from portal.security import role_required
from portal.web.actions import run_action
from portal.web.admin.forms import CorrectDayForm, ImportScheduleForm
from portal.web.admin.views import bp
from portal.web.clock import request_now, request_today

MAX_SCHEDULE_BYTES = 256 * 1024


def _year_arg() -> int:
    today = request_today()
    try:
        year = int(request.args.get("year", today.year))
    except ValueError:
        return today.year
    return year if 2000 <= year <= 2100 else today.year


def _render(year: int, correct_form=None, import_form=None, status=200):
    return (
        render_template(
            "admin/calendar.html",
            overview=year_overview(db.session, year),
            correct_form=correct_form or CorrectDayForm(),
            import_form=import_form or ImportScheduleForm(),
        ),
        status,
    )


@bp.get("/calendar")
@role_required(Role.admin)
def calendar():
    return _render(_year_arg())


@bp.post("/calendar/day")
@role_required(Role.admin)
def correct_calendar_day():
    form = CorrectDayForm()
    if form.validate_on_submit():
        outcome = run_action(
            lambda: correct_day(
                db.session, form.day.data, form.workday.data == "1", form.name.data or "",
                form.reason.data, current_user, request_now(),
            ),
            form=form,
        )
        if outcome:
            day = form.day.data.isoformat()
            flash(_("%(day)s corrected. Open cases whose due date moved: %(n)d.", day=day, n=outcome.value), "success")
            return redirect(url_for("admin.calendar", year=form.day.data.year))
    year = form.day.data.year if form.day.data else _year_arg()
    return _render(year, correct_form=form, status=400)


@bp.post("/calendar/import")
@role_required(Role.admin)
def import_calendar():
    form = ImportScheduleForm()
    if form.validate_on_submit():
        upload = form.schedule.data
        raw = upload.read(MAX_SCHEDULE_BYTES + 1)
        def load():
            if len(raw) > MAX_SCHEDULE_BYTES:
                raise DomainError(_("The file is larger than 256 KB; a year's schedule is much smaller."), "schedule")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise DomainError(_("The file must be UTF-8 text (CSV or JSON)."), "schedule") from None
            try:
                return import_schedule(db.session, parse_schedule(text, upload.filename or ""), current_user, request_now())
            except DomainError as error:
                # Whatever row or rule refused it, the message belongs next to the file.
                raise DomainError(error.message, "schedule") from None

        outcome = run_action(load, form=form)
        if outcome:
            report = outcome.value
            flash(
                _(
                    "Official schedule loaded for %(years)s (%(days)d days listed). Open cases whose due date moved: %(n)d.",
                    years=", ".join(str(y) for y in report.years), days=report.days, n=report.cases_moved,
                ),
                "success",
            )
            return redirect(url_for("admin.calendar", year=report.years[0]))
    return _render(_year_arg(), import_form=form, status=400)


from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.db import db
from portal.domain.access import visible_cases
from portal.domain.catalog import LISTED_SERVICE
from portal.domain.messages import mark_read, messages_for, unread_count
from portal.domain.permits import holder_permits, permit_state
from portal.models import Case, Role
from portal.security import role_required
from portal.web.clock import request_now, request_today
from portal.web.fragments import second_of, work_count, work_fragment

bp = Blueprint("resident", __name__, url_prefix="/resident")


@bp.get("/")
@role_required(Role.resident)
def index():
    """Kept per resident for the second while the work is unchanged
    (``work_fragment``)."""

    def render() -> str:
        cases = db.session.scalars(
            visible_cases(current_user).options(selectinload(Case.service).options(*LISTED_SERVICE)).order_by(Case.submitted_at.desc())
        ).all()
        today = request_today()
        held = [(p, permit_state(p, today)) for p in holder_permits(db.session, current_user.id_number)]
        return render_template("resident/_applications.html", user=current_user, cases=cases, permits=held)

    content = work_fragment("my-applications", render, current_user.id, request.full_path, clock=second_of(request_now()))
    return render_template("resident/index.html", content=content)


@bp.app_context_processor
def message_badge():
    """The unread count shown in the header, for residents."""
    if current_user.is_authenticated and current_user.role is Role.resident:
        user = current_user._get_current_object()
        return {"unread_messages": work_count("unread-messages", lambda: unread_count(db.session, user), user.id)}
    return {"unread_messages": 0}


@bp.get("/messages")
@role_required(Role.resident)
def messages():
    found = messages_for(db.session, current_user)
    unread_ids = {m.id for m in found if m.read_at is None}
    mark_read(db.session, current_user, request_now())
    db.session.commit()
    return render_template("resident/messages.html", messages=found, unread_ids=unread_ids)

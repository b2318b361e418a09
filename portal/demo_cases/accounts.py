"""Demo accounts for trying the portal (never created in production), and
their removal with every case they touched."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from portal.domain import second_factor
from portal.domain.accounts import create_staff, register_resident
from portal.domain.passwords import Passwords
from portal.domain.tallies import rebuild_tallies
from portal.models import (
    Case,
    CaseFile,
    CaseNotice,
    County,
    Event,
    PermitCheck,
    PermitEndorsement,
    Rating,
    RatingFollowUp,
    ResidencePermit,
    Role,
    SlaAlert,
    Task,
    User,
)

DEMO_PASSWORD = "demo-pass-2026"

# Valid GB 11643 numbers (check digits computed), regions 330822 Changshan
# and 362323 Yushan (its code before 2000; 361123 since).
DEMO_RESIDENTS = (
    {"real_name": "王小明", "id_number": "330822199001011238", "mobile": "13800000001"},
    {"real_name": "李春花", "id_number": "362323198805203325", "mobile": "13900000002"},
)

DEMO_STAFF = (
    {"username": "clerk.cs", "real_name": "常山窗口 周敏", "role": Role.clerk, "window_county": County.changshan},
    {"username": "clerk.ys", "real_name": "玉山窗口 吴刚", "role": Role.clerk, "window_county": County.yushan},
    *(
        {"username": f"officer.{code}", "real_name": name, "role": Role.officer, "agency_code": code}
        for code, name in (
            ("cs-psb", "常山公安 郑强"), ("ys-psb", "玉山公安 陈静"),
            ("cs-amr", "常山市监 孙丽"), ("ys-amr", "玉山市监 赵磊"),
            ("cs-gov", "常山社治 刘洋"), ("ys-gov", "玉山社治 黄敏"),
            ("cs-eme", "常山应急 周杰"), ("ys-eme", "玉山应急 徐静"),
            ("cs-hrss", "常山人社 马超"), ("ys-hrss", "玉山人社 朱琳"),
            ("cs-drc", "常山发改 胡斌"), ("ys-drc", "玉山发改 林芳"),
        )
    ),
    {"username": "supervisor", "real_name": "效能督查 钱进", "role": Role.supervisor},
    {"username": "admin", "real_name": "系统管理员", "role": Role.admin},
)


def load_demo(session: Session, now: datetime, passwords: Passwords) -> list[User]:
    """Create the demo accounts that do not exist yet."""
    created = []
    for resident in DEMO_RESIDENTS:
        if session.scalar(select(User.id).where(User.id_number == resident["id_number"])):
            continue
        user = register_resident(session, password=DEMO_PASSWORD, passwords=passwords, now=now, **resident)
        user.is_demo = True
        created.append(user)
    for staff in DEMO_STAFF:
        if session.scalar(select(User.id).where(User.username == staff["username"])):
            continue
        user = create_staff(session, password=DEMO_PASSWORD, passwords=passwords, now=now, is_demo=True, **staff)
        if second_factor.required(user, "oversight"):
            # The supervisor and the admin sign in with the published demo secret (README).
            second_factor.enrol_demo(session, user, now)
        created.append(user)
    session.flush()
    return created


def remove_demo(session: Session) -> tuple[int, int, list[str]]:
    """Delete the demo accounts and every case they applied for or handled
    (generated demo cases), so a centre starts production clean. Returns
    the accounts and cases removed and the stored names of the cases'
    files, for the caller to delete from disk after committing."""
    demo = select(User.id).where(User.is_demo.is_(True))
    touched = (
        select(Case.id)
        .where(
            or_(
                Case.applicant_user_id.in_(demo),
                Case.created_by_id.in_(demo),
                Case.id.in_(select(Event.case_id).where(Event.actor_id.in_(demo))),
                Case.id.in_(select(Task.case_id).where(Task.assignee_id.in_(demo))),
            )
        )
    )
    case_ids = list(session.scalars(touched))
    stored = list(session.scalars(select(CaseFile.stored_name).where(CaseFile.case_id.in_(case_ids))))
    # Licences those cases issued or endorsed go with them.
    permits = select(ResidencePermit.id).where(ResidencePermit.case_id.in_(case_ids))
    session.execute(update(ResidencePermit).where(ResidencePermit.replaced_by_id.in_(permits)).values(replaced_by_id=None))
    session.execute(delete(PermitEndorsement).where(or_(PermitEndorsement.case_id.in_(case_ids), PermitEndorsement.permit_id.in_(permits))))
    session.execute(delete(PermitCheck).where(PermitCheck.permit_id.in_(permits)))
    session.execute(delete(ResidencePermit).where(ResidencePermit.case_id.in_(case_ids)))
    for chunk in range(0, len(case_ids), 500):
        session.execute(delete(Case).where(Case.id.in_(case_ids[chunk:chunk + 500])))
    # What demo staff did outside those cases (calendar changes) stays, unsigned.
    for model, column in ((Event, Event.actor_id), (CaseFile, CaseFile.uploaded_by_id),
                          (CaseNotice, CaseNotice.issued_by_id), (Task, Task.assignee_id),
                          (SlaAlert, SlaAlert.assignee_id), (PermitCheck, PermitCheck.checked_by_id),
                          (ResidencePermit, ResidencePermit.holder_user_id), (Rating, Rating.recorded_by_id),
                          (RatingFollowUp, RatingFollowUp.closed_by_id)):
        session.execute(update(model).where(column.in_(demo)).values({column.key: None}))
    removed = session.execute(delete(User).where(User.is_demo.is_(True))).rowcount
    if case_ids:
        rebuild_tallies(session)
    return removed, len(case_ids), stored

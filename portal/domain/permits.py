"""The residence permit (居住证) as an electronic licence (电子证照).

Rules, from the Interim Regulations on Residence Permits (居住证暂行条例):
- art. 2: a citizen who has left the county of their household registration
  and has lived in Changshan or Yushan for six months or more, with a stable
  job, a lawful stable home or continuous study there, may apply;
- art. 13: the holder has the permit endorsed (签注) every year, in the month
  before each full year of residence; a permit not endorsed in time stops
  working, and a late endorsement restores it with the count of years of
  residence restarting from that day;
- art. 15: a damaged permit is renewed and a lost one replaced: a new
  number, the old one revoked.

Both provinces recognise the permit (双向互认): staff of either county and
partner systems verify it from its number and a verification code (an HMAC
of the number under the portal's secret key), which the QR code carries.
Every verification is logged and the holder sees who checked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import labels
from portal.domain import DomainError
from portal.domain.clock import local_date
from portal.domain.events import record_event
from portal.domain.messages import notify_applicant
from portal.domain.text import typed_code
from portal.i18n import localized
from portal.models import Agency, Case, CaseFile, PermitCheck, PermitEndorsement, PermitSequence, ResidencePermit, User
from portal.models.enums import County, PermitCheckResult, PermitStatus

ISSUE, ENDORSE, REPLACE = "psb-rp-apply", "psb-rp-endorse", "psb-rp-replace"
PERMIT_MATERIAL = "residence-permit"
VALID_YEARS = 10  # the card's own validity; residence itself is kept alive by endorsement
QR_PREFIX = "KSRP1"
R = PermitCheckResult


# -- numbers and codes ---------------------------------------------------------

def next_permit_number(session: Session, county: County, today: date) -> str:
    """The county's administrative code, the year and a six-digit sequence:
    33082226000001 is the first permit Changshan issued in 2026."""
    increment = (
        update(PermitSequence)
        .where(PermitSequence.county == county, PermitSequence.year == today.year)
        .values(last=PermitSequence.last + 1)
        .returning(PermitSequence.last)
    )
    value = session.execute(increment).scalar_one_or_none()
    if value is None:
        try:
            with session.begin_nested():
                session.execute(insert(PermitSequence).values(county=county, year=today.year, last=1))
            value = 1
        except IntegrityError:
            value = session.execute(increment).scalar_one()
    return f"{county.admin_code}{today:%y}{value:06d}"


def verification_code(number: str, key: str | bytes) -> str:
    """Ten characters that only the holder of ``key`` (the portal's secret
    key) can compute for this number."""
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, f"residence-permit:{number}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:10]


def qr_payload(permit: ResidencePermit, key: str | bytes) -> str:
    return f"{QR_PREFIX}|{permit.number}|{verification_code(permit.number, key)}"


def parse_payload(text: str) -> tuple[str, str]:
    """(number, code) from scanned QR data; ('', '') when it is not ours."""
    parts = typed_code(text).split("|")
    if len(parts) == 3 and parts[0] == QR_PREFIX:
        return parts[1].strip()[:20], parts[2].strip().upper()[:20]
    return "", ""


# -- state -----------------------------------------------------------------------

def permit_state(permit: ResidencePermit, today: date) -> PermitCheckResult:
    if permit.status is PermitStatus.revoked:
        return R.revoked
    if today > permit.valid_until:
        return R.expired
    if today >= permit.endorsed_until:
        return R.needs_endorsement
    return R.valid


def endorsement_window(permit: ResidencePermit) -> tuple[date, date]:
    """The month before the anniversary: [opens, anniversary)."""
    return permit.endorsed_until - relativedelta(months=1), permit.endorsed_until


def holder_permits(session: Session, id_number: str) -> list[ResidencePermit]:
    return list(
        session.scalars(
            select(ResidencePermit).where(ResidencePermit.holder_id_number == id_number)
            .order_by(ResidencePermit.issued_on.desc(), ResidencePermit.id.desc())
        )
    )


def reusable_permit(session: Session, id_number: str | None, today: date) -> ResidencePermit | None:
    """The holder's permit that may stand in for an upload (免提交): valid
    today (or due for endorsement, since endorsing is what it is for)."""
    if not id_number:
        return None
    for permit in holder_permits(session, id_number):
        if permit_state(permit, today) in (R.valid, R.needs_endorsement):
            return permit
    return None


# -- eligibility (art. 2) -------------------------------------------------------------

def eligibility_problems(session: Session, case: Case, today: date) -> list[str]:
    """The rules of art. 2 this application fails, each naming the rule."""
    problems = []
    fields = case.form_data or {}
    if case.hukou_county == case.residence_county:
        problems.append(
            _l(
                "Art. 2 of the Interim Regulations on Residence Permits: the applicant's "
                "household registration must be outside the county where they live."
            )
        )
    since = fields.get("residence_since")
    try:
        since_day = date.fromisoformat(since) if since else None
    except ValueError:
        since_day = None
    if since_day is None or since_day + relativedelta(months=6) > today:
        problems.append(
            _l(
                "Art. 2 of the Interim Regulations on Residence Permits: the applicant "
                "must have lived in the county for six months or more."
            )
        )
    has_proof = session.scalar(select(CaseFile.id).where(CaseFile.case_id == case.id, CaseFile.material_code == "residence-proof").limit(1))
    if fields.get("residence_basis") not in ("housing", "employment", "study") or not has_proof:
        problems.append(
            _l(
                "Art. 2 of the Interim Regulations on Residence Permits: a stable job, a lawful "
                "stable home or continuous study must be shown with its proof."
            )
        )
    if reusable_permit(session, case.applicant_id_number, today) is not None:
        problems.append(
            _l(
                "Art. 10 of the Interim Regulations on Residence Permits: the applicant already holds "
                "a residence permit; apply for its renewal or endorsement instead."
            )
        )
    return [str(p) for p in problems]


def endorsement_problem(permit: ResidencePermit | None, id_number: str, today: date) -> str | None:
    """Why this permit cannot be endorsed today, or None."""
    if permit is None or permit.holder_id_number != id_number:
        return str(_l("No residence permit with this number is held by the applicant."))
    state = permit_state(permit, today)
    if state in (R.revoked, R.expired):
        return str(_l("This residence permit is no longer valid; apply for a new one."))
    opens, anniversary = endorsement_window(permit)
    if today < opens:
        return str(
            _l(
                "Art. 13: this permit is endorsed in the month before %(anniversary)s, from %(opens)s; it has been endorsed for this year.",
                anniversary=anniversary.isoformat(),
                opens=opens.isoformat(),
            )
        )
    return None


def find_permit(session: Session, number: str) -> ResidencePermit | None:
    return session.scalar(select(ResidencePermit).where(ResidencePermit.number == (number or "").strip()))


# -- what completing a permit case does -------------------------------------------------


def refusal_reason(session: Session, case: Case, now: datetime) -> str | None:
    """Before a permit case completes: the rule it fails, if any."""
    today = local_date(now)
    code = case.service.code
    if code == ISSUE:
        problems = eligibility_problems(session, case, today)
        return " ".join(problems) if problems else None
    if code == ENDORSE:
        permit = find_permit(session, (case.form_data or {}).get("permit_number", ""))
        return endorsement_problem(permit, case.applicant_id_number, today)
    if code == REPLACE and _permit_to_replace(session, case) is None:
        return str(_l("Art. 15: the applicant holds no residence permit to renew or replace."))
    return None


def _photo(case: Case) -> int | None:
    photos = [f for f in case.files if f.material_code == "photo"]
    return photos[-1].id if photos else None


def _issuing_agency_id(case: Case) -> int:
    issuers = [t for t in case.tasks if t.stage == 1 and t.agency.county.value == case.residence_county]
    return (issuers or case.tasks)[0].agency_id


def _new_permit(session: Session, case: Case, now: datetime, **fields) -> ResidencePermit:
    today = local_date(now)
    county = County(case.residence_county) if case.residence_county in ("changshan", "yushan") else case.receiving_county
    permit = ResidencePermit(
        number=next_permit_number(session, county, today),
        status=PermitStatus.active,
        holder_user_id=case.applicant_user_id,
        holder_name=case.applicant_name,
        holder_id_number=case.applicant_id_number,
        photo_file_id=_photo(case),
        address=str((case.form_data or {}).get("address", ""))[:200],
        county=county,
        issuing_agency_id=_issuing_agency_id(case),
        case_id=case.id,
        issued_on=today,
        valid_until=today + relativedelta(years=VALID_YEARS),
        created_at=now,
        **fields,
    )
    session.add(permit)
    session.flush()
    return permit


def _permit_to_replace(session: Session, case: Case) -> ResidencePermit | None:
    number = (case.form_data or {}).get("permit_number", "")
    candidates = [p for p in holder_permits(session, case.applicant_id_number) if p.status is PermitStatus.active]
    if number:
        candidates = [p for p in candidates if p.number == number.strip()]
    return candidates[0] if candidates else None


def on_completion(session: Session, case: Case, now: datetime) -> ResidencePermit | None:
    """After a permit case completes: issue, replace or endorse."""
    today = local_date(now)
    code = case.service.code
    if code == ISSUE:
        since = date.fromisoformat(case.form_data["residence_since"])
        permit = _new_permit(session, case, now, residence_counted_from=since, endorsed_until=today + relativedelta(years=1))
        _record(session, case, now, "permit_issued", permit)
        return permit
    if code == REPLACE:
        old = _permit_to_replace(session, case)
        permit = _new_permit(session, case, now, residence_counted_from=old.residence_counted_from, endorsed_until=old.endorsed_until)
        old.status = PermitStatus.revoked
        old.revoked_at = now
        old.revoked_reason = f"replaced by {permit.number}"
        old.replaced_by_id = permit.id
        _record(session, case, now, "permit_issued", permit, data={"replaces": old.number})
        return permit
    if code == ENDORSE:
        permit = find_permit(session, case.form_data["permit_number"])
        late = today >= permit.endorsed_until
        if late:
            # Art. 13: use restored from today; years of residence count again from today.
            permit.residence_counted_from = today
            permit.endorsed_until = today + relativedelta(years=1)
        else:
            permit.endorsed_until = permit.endorsed_until + relativedelta(years=1)
        session.add(
            PermitEndorsement(permit_id=permit.id, case_id=case.id, endorsed_on=today, late=late, endorsed_until=permit.endorsed_until)
        )
        _record(session, case, now, "permit_endorsed", permit, data={"late": late})
        return permit
    return None


def _record(session, case, now, action, permit, data=None):
    event = record_event(session, case=case, action=action, now=now, data={"permit": permit.number, **(data or {})})
    notify_applicant(session, case, event, now)


def case_permit(session: Session, case: Case) -> ResidencePermit | None:
    """The permit a case issued or endorsed, offered as its result."""
    issued = session.scalar(select(ResidencePermit).where(ResidencePermit.case_id == case.id))
    if issued is not None or case.service.code != ENDORSE:
        return issued
    return find_permit(session, (case.form_data or {}).get("permit_number", ""))


# -- verification (双向互认) ---------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    result: PermitCheckResult
    number: str
    county: County | None = None
    masked_name: str = ""


def mask_name(name: str) -> str:
    """王小明 → 王*明, 李华 → 李*: enough to match the person in front of you."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def verify_permit(
    session: Session, number: str, code: str, now: datetime, *, key: str | bytes, checker: User | None = None, unit: str = ""
) -> Verification:
    """Answer valid / expired / needs endorsement / revoked / unknown, with
    the issuing county and the masked holder name and nothing more; a code
    that does not match answers unknown, as if the number did not exist.
    Logged whatever the answer."""
    number = typed_code(number)[:20]
    permit = find_permit(session, number)
    genuine = permit is not None and hmac.compare_digest(verification_code(permit.number, key), typed_code(code).upper())
    if not genuine:
        answer = Verification(R.unknown, number)
    else:
        answer = Verification(permit_state(permit, local_date(now)), number, permit.county, mask_name(permit.holder_name))
    county = None
    if checker is not None:
        county = checker.window_county or (checker.agency.county if checker.agency else None)
    session.add(
        PermitCheck(
            permit_id=permit.id if genuine else None,
            number_given=number or "-",
            result=answer.result,
            checked_by_id=checker.id if checker else None,
            checker_county=county,
            checker_unit=unit[:100],
            created_at=now,
        )
    )
    session.flush()
    return answer


def checks_of(session: Session, permit: ResidencePermit, limit: int = 50) -> list[PermitCheck]:
    return list(
        session.scalars(
            select(PermitCheck)
            .where(PermitCheck.permit_id == permit.id)
            .order_by(PermitCheck.created_at.desc(), PermitCheck.id.desc())
            .limit(limit)
        )
    )


def application_problems(session: Session, service_code: str, id_number: str | None, answers: dict, today: date) -> list[DomainError]:
    """What a permit application gets wrong, told before it is submitted,
    each next to the field it concerns (the issuing step checks again)."""
    fields = answers.get("fields", {})
    problems = []
    if service_code == ISSUE:
        if answers.get("hukou_county") and answers.get("hukou_county") == answers.get("residence_county"):
            problems.append(
                DomainError(
                    _l(
                        "A residence permit is for people living away from their household "
                        "registration: your household is registered in the county where you live."
                    ),
                    "hukou_county",
                )
            )
        since = fields.get("residence_since")
        if since and date.fromisoformat(since) + relativedelta(months=6) > today:
            problems.append(
                DomainError(
                    _l(
                        "Art. 2: you can apply once you have lived here for six months, from %(date)s.",
                        date=(date.fromisoformat(since) + relativedelta(months=6)).isoformat(),
                    ),
                    "field_residence_since",
                )
            )
        if id_number and reusable_permit(session, id_number, today) is not None:
            problems.append(DomainError(_l("You already hold a residence permit; apply for its endorsement or renewal instead."), None))
    if service_code == ENDORSE and fields.get("permit_number") and id_number:
        problem = endorsement_problem(find_permit(session, fields["permit_number"]), id_number, today)
        if problem:
            problems.append(DomainError(problem, "field_permit_number"))
    return problems


def checker_units(session: Session, checks) -> dict[int, str]:
    """Each check's unit in the reader's language: the unit is kept as a
    key (``agency:<code>``, ``window:<county>``, ``supervision``, ``api``).
    Checks logged before units were keys carry the name written then."""
    codes = {c.checker_unit.split(":", 1)[1] for c in checks if c.checker_unit.startswith("agency:")}
    agencies = {a.code: a for a in session.scalars(select(Agency).where(Agency.code.in_(codes)))} if codes else {}
    names = {}
    for check in checks:
        kind, _sep, value = check.checker_unit.partition(":")
        if kind == "agency" and value in agencies:
            names[check.id] = localized(agencies[value], "name")
        elif kind == "window" and value in labels.WINDOWS:
            names[check.id] = str(labels.WINDOWS[value])
        elif check.checker_unit == "supervision":
            names[check.id] = str(_l("Supervision"))
        elif check.checker_unit == "api" or check.checker_unit.startswith("API"):
            names[check.id] = str(_l("A partner system"))
        else:
            names[check.id] = check.checker_unit
    return names


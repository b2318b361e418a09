"""常用语: administrators keep ready phrases for the texts staff write,
for one service or for all; staff pick one into the text box and edit it.
A phrase is never longer than the box it fills (the limits of
:mod:`portal.domain.limits`), and its text is screened like any free text."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.domain import DomainError, DomainErrors
from portal.domain.limits import INTAKE_REASON_MAX, TASK_NOTE_MAX
from portal.domain.text import free_text
from portal.models import Phrase, PhraseUse, Service

# The longest text each use's box takes.
PHRASE_LIMITS = {
    PhraseUse.correction: INTAKE_REASON_MAX,
    PhraseUse.intake_refusal: INTAKE_REASON_MAX,
    PhraseUse.task_opinion: TASK_NOTE_MAX,
    PhraseUse.task_refusal: TASK_NOTE_MAX,
}
POSITION_MAX = 9999


@dataclass(frozen=True)
class PhraseText:
    """What an administrator typed for a phrase."""

    use: PhraseUse
    service: Service | None
    text_zh: str
    text_en: str
    position: int | None = None


def _screened(typed: PhraseText) -> tuple[str, str]:
    """Both texts trimmed and screened, each within the limit of the box
    the phrase fills; at least one of them given."""
    limit = PHRASE_LIMITS[typed.use]
    texts, problems = {}, []
    for name in ("text_zh", "text_en"):
        try:
            texts[name] = free_text(getattr(typed, name), name, 10**6)
        except DomainError as error:
            problems.append(error)
            continue
        if len(texts[name]) > limit:
            problems.append(DomainError(
                _l("The box this phrase fills takes at most %(limit)d characters; this text has %(n)d.", limit=limit, n=len(texts[name])),
                name,
            ))
    if not problems and not texts["text_zh"] and not texts["text_en"]:
        problems.append(DomainError(_l("Write the phrase in Chinese, in English or in both."), "text_zh"))
    if typed.position is not None and not 0 <= typed.position <= POSITION_MAX:
        problems.append(DomainError(_l("Enter a position from 0 to %(n)d.", n=POSITION_MAX), "position"))
    if problems:
        raise DomainErrors(problems)
    return texts["text_zh"], texts["text_en"]


def _next_position(session: Session, use: PhraseUse, service: Service | None) -> int:
    last = session.scalar(
        select(Phrase.position).where(Phrase.use == use, _scope(service)).order_by(Phrase.position.desc()).limit(1)
    )
    return 10 if last is None else last + 10


def _scope(service: Service | None):
    return Phrase.service_id.is_(None) if service is None else Phrase.service_id == service.id


def add_phrase(session: Session, typed: PhraseText) -> Phrase:
    """A new phrase, last of its list unless a position is given."""
    text_zh, text_en = _screened(typed)
    position = typed.position if typed.position is not None else _next_position(session, typed.use, typed.service)
    phrase = Phrase(use=typed.use, service=typed.service, text_zh=text_zh, text_en=text_en, position=position, retired=False)
    session.add(phrase)
    session.flush()
    return phrase


def edit_phrase(session: Session, phrase: Phrase, typed: PhraseText) -> None:
    """New texts, use, service and position for a phrase."""
    phrase.text_zh, phrase.text_en = _screened(typed)
    phrase.use, phrase.service = typed.use, typed.service
    if typed.position is not None:
        phrase.position = typed.position
    session.flush()


def retire_phrase(session: Session, phrase: Phrase, retired: bool = True) -> None:
    """A retired phrase is no longer offered to staff; it can be brought back."""
    phrase.retired = retired
    session.flush()


def move_phrase(session: Session, phrase: Phrase, step: int) -> None:
    """Swap places with the neighbour above (step -1) or below (+1) in its list."""
    siblings = list(session.scalars(phrase_list(phrase.use, phrase.service)))
    index = siblings.index(phrase)
    other = index + step
    if not 0 <= other < len(siblings):
        return
    # Renumber the list so two equal positions cannot keep the order from changing.
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for number, each in enumerate(siblings, start=1):
        each.position = number * 10
    session.flush()


def phrase_list(use: PhraseUse, service: Service | None) -> Select:
    """One list as the administrator orders it, retired phrases included."""
    return select(Phrase).where(Phrase.use == use, _scope(service)).order_by(Phrase.position, Phrase.id)


def offered_phrases(session: Session, use: PhraseUse, service: Service) -> list[Phrase]:
    """The phrases staff are offered on a case of ``service``: the
    service's own first, then those for every service; retired ones never."""
    return list(session.scalars(
        select(Phrase)
        .where(Phrase.use == use, Phrase.retired.is_(False), (Phrase.service_id == service.id) | Phrase.service_id.is_(None))
        .order_by(Phrase.service_id.is_(None), Phrase.position, Phrase.id)
    ))


def find_phrase(session: Session, phrase_id: int) -> Phrase | None:
    return session.get(Phrase, phrase_id)

"""常用语 on the staff forms: the phrases offered beside a text box, and
the box's text when a phrase was picked without the page's script (the
script puts the phrase into the box, where staff edit it; without it, an
empty box takes the phrase chosen beside it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from portal.db import db
from portal.domain.phrases import offered_phrases
from portal.i18n import current_language
from portal.models import Phrase, PhraseUse, Service

PICKER_SUFFIX = "-phrase"


@dataclass(frozen=True)
class PhraseOption:
    text: str
    own: bool  # the service's own phrase, not one for every service


def phrase_text(phrase: Phrase) -> str:
    """The text in the interface language, or the other one when it is empty."""
    first, second = (phrase.text_en, phrase.text_zh) if current_language() == "en" else (phrase.text_zh, phrase.text_en)
    return first or second


def phrase_options(service: Service, use: PhraseUse) -> list[PhraseOption]:
    return [PhraseOption(phrase_text(p), p.service_id is not None) for p in offered_phrases(db.session, use, service)]


def picked_or_typed(values: Mapping[str, str], box: str) -> str:
    """What the box ``box`` says, or the phrase picked beside it when it is empty."""
    typed = values.get(box, "")
    return typed if typed.strip() else values.get(box + PICKER_SUFFIX, "")


def with_picked_phrase(form, name: str, values: Mapping[str, str]):
    """``form`` with its text field ``name`` filled from the phrase picked
    beside it when left empty; before the form is validated."""
    field = getattr(form, name)
    if not (field.data or "").strip():
        field.data = values.get(field.name + PICKER_SUFFIX, "") or field.data
    return form

"""常用语 (``/admin/phrases``): the ready phrases staff pick for correction
items, refusals at intake, opinions and refusals of tasks — per service or
for all services — added, edited, reordered and retired."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional

from portal.db import db
from portal.domain import phrases
from portal.domain.catalog import CatalogFilter, list_services
from portal.i18n import localized
from portal.models import PhraseUse, Role
from portal.security import role_required
from portal.web.actions import run_action
from portal.web.admin import bp

USE_LABELS = {
    PhraseUse.correction: _l("Correction items (补正)"),
    PhraseUse.intake_refusal: _l("Not accepting at the window (不予受理)"),
    PhraseUse.task_opinion: _l("Opinion when completing a task"),
    PhraseUse.task_refusal: _l("Reason for refusing a task"),
}


class PhraseForm(FlaskForm):
    use = SelectField(_l("Used for"), validators=[DataRequired(_l("Choose what the phrase is for."))])
    service = SelectField(_l("Service"), default="", description=_l("All services, or the one service it is offered for."))
    text_zh = TextAreaField(_l("Chinese text"), render_kw={"rows": 3, "lang": "zh-CN"})
    text_en = TextAreaField(
        _l("English text"), render_kw={"rows": 3, "lang": "en"},
        description=_l("Staff see the text in their interface language, or the other one when it is empty."),
    )
    position = IntegerField(
        _l("Position (optional)"), validators=[Optional()],
        description=_l("Lower numbers come first. Empty: at the end of the list."),
        render_kw={"inputmode": "numeric"},
    )


class PhraseActionForm(FlaskForm):
    """Retire, restore and move need only the CSRF token."""


def _services():
    return list_services(db.session, CatalogFilter())


def _choices(form: PhraseForm) -> PhraseForm:
    form.use.choices = [SelectChoice(use.value, label) for use, label in USE_LABELS.items()]
    form.service.choices = [SelectChoice("", _("All services"))] + [SelectChoice(s.code, localized(s, "name")) for s in _services()]
    return form


def _selected():
    """The list shown: the use and service chosen in the query string."""
    try:
        use = PhraseUse(request.args.get("use", PhraseUse.correction.value))
    except ValueError:
        use = PhraseUse.correction
    code = request.args.get("service", "")
    service = next((s for s in _services() if s.code == code), None)
    return use, service


def _typed(form: PhraseForm) -> phrases.PhraseText:
    service = next((s for s in _services() if s.code == form.service.data), None)
    return phrases.PhraseText(
        use=PhraseUse(form.use.data), service=service, text_zh=form.text_zh.data or "",
        text_en=form.text_en.data or "", position=form.position.data,
    )


def _render_list(form: PhraseForm | None = None, status: int = 200):
    use, service = _selected()
    if form is None:
        form = _choices(PhraseForm(formdata=None))
        form.use.data, form.service.data = use.value, service.code if service else ""
    return render_template(
        "admin/phrases.html",
        form=form,
        action_form=PhraseActionForm(),
        use=use,
        service=service,
        services=_services(),
        use_labels=USE_LABELS,
        limits=phrases.PHRASE_LIMITS,
        listed=list(db.session.scalars(phrases.phrase_list(use, service))),
    ), status


def _back(phrase):
    return redirect(url_for("admin.phrases_list", use=phrase.use.value, service=phrase.service.code if phrase.service else None))


def _phrase_or_404(phrase_id: int):
    phrase = phrases.find_phrase(db.session, phrase_id)
    if phrase is None:
        abort(404)
    return phrase


@bp.get("/phrases")
@role_required(Role.admin)
def phrases_list():
    return _render_list()


@bp.post("/phrases")
@role_required(Role.admin)
def add_phrase():
    form = _choices(PhraseForm())
    if form.validate_on_submit():
        outcome = run_action(lambda: phrases.add_phrase(db.session, _typed(form)), _("The phrase is added."), form=form)
        if outcome:
            return _back(outcome.value)
    return _render_list(form, 400)


def _render_edit(phrase, form: PhraseForm | None = None, status: int = 200):
    if form is None:
        form = _choices(PhraseForm(formdata=None, obj=phrase))
        form.use.data, form.service.data = phrase.use.value, phrase.service.code if phrase.service else ""
    return render_template(
        "admin/phrase.html", phrase=phrase, form=form, action_form=PhraseActionForm(), use_labels=USE_LABELS,
        limits=phrases.PHRASE_LIMITS,
    ), status


@bp.get("/phrases/<int:phrase_id>")
@role_required(Role.admin)
def phrase(phrase_id: int):
    return _render_edit(_phrase_or_404(phrase_id))


@bp.post("/phrases/<int:phrase_id>")
@role_required(Role.admin)
def edit_phrase(phrase_id: int):
    phrase = _phrase_or_404(phrase_id)
    form = _choices(PhraseForm())
    if form.validate_on_submit():
        outcome = run_action(lambda: phrases.edit_phrase(db.session, phrase, _typed(form)), _("The phrase is saved."), form=form)
        if outcome:
            return _back(phrase)
    return _render_edit(phrase, form, 400)


def _phrase_action(phrase_id: int, action, success: str):
    phrase = _phrase_or_404(phrase_id)
    if not PhraseActionForm().validate_on_submit():
        abort(400)
    run_action(lambda: action(phrase), success)
    return _back(phrase)


@bp.post("/phrases/<int:phrase_id>/retire")
@role_required(Role.admin)
def retire_phrase(phrase_id: int):
    return _phrase_action(
        phrase_id, lambda p: phrases.retire_phrase(db.session, p), _("The phrase is retired: staff are no longer offered it.")
    )


@bp.post("/phrases/<int:phrase_id>/restore")
@role_required(Role.admin)
def restore_phrase(phrase_id: int):
    return _phrase_action(
        phrase_id, lambda p: phrases.retire_phrase(db.session, p, retired=False), _("The phrase is offered to staff again.")
    )


@bp.post("/phrases/<int:phrase_id>/up")
@role_required(Role.admin)
def move_phrase_up(phrase_id: int):
    return _phrase_action(phrase_id, lambda p: phrases.move_phrase(db.session, p, -1), _("The phrase has moved up."))


@bp.post("/phrases/<int:phrase_id>/down")
@role_required(Role.admin)
def move_phrase_down(phrase_id: int):
    return _phrase_action(phrase_id, lambda p: phrases.move_phrase(db.session, p, 1), _("The phrase has moved down."))

"""The form that answers a returned task, shared by the window's reply
(counter) and the applicant's answer to a request (cases): a note, a new
version of any of the service's materials, and any other document. The
files are checked here, before anything is stored, with the same checks
as the application's materials; the domain attaches them."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.domain import DomainError
from portal.domain.limits import TASK_NOTE_MAX
from portal.domain.returns import ADDED_FILE_TYPES
from portal.domain.uploads import CheckedFile, UploadStore
from portal.i18n import localized
from portal.web.service_fields import accept_attribute, material_description, material_field_name


def _chosen(field) -> bool:
    return bool(field.data and getattr(field.data, "filename", ""))


class ReturnAnswerForm(FlaskForm):
    """A note and files; the material fields are made per service."""

    materials: tuple[dict, ...] = ()
    added = FileField(
        _l("Another document (if any)"),
        description=_l("Anything not listed above. File types: PDF, JPEG or PNG."),
        render_kw={"accept": accept_attribute(ADDED_FILE_TYPES)},
    )

    @classmethod
    def for_case(cls, case, note_label: str, note_required: bool, note_hint: str = ""):
        validators = [DataRequired(_("Say what was done.")), Length(max=TASK_NOTE_MAX)] if note_required else [
            Optional(), Length(max=TASK_NOTE_MAX)
        ]
        attrs = {
            "materials": tuple(case.service.materials),
            "note": TextAreaField(note_label, validators=validators, description=note_hint, render_kw={"maxlength": TASK_NOTE_MAX}),
        }
        for material in case.service.materials:
            attrs[material_field_name(material["code"])] = FileField(
                _("%(name)s (new version, if any)", name=localized(material, "name")),
                description=material_description(material),
                render_kw={"accept": accept_attribute(material["file_types"])},
            )
        return type("ReturnAnswerForm", (cls,), attrs)

    def material_fields(self):
        return [self[material_field_name(m["code"])] for m in self.materials]

    def checked_files(self, store: UploadStore) -> tuple[dict[str, CheckedFile], list[CheckedFile]]:
        """The files chosen, each checked against its material's file types
        and the size cap; a file that fails gets its message on its field."""
        uploads, added = {}, []
        for material in self.materials:
            field = self[material_field_name(material["code"])]
            if _chosen(field):
                try:
                    uploads[material["code"]] = store.check(field.data.filename, field.data.read(), material["file_types"])
                except DomainError as error:
                    field.errors = list(field.errors) + [error.message]
        if _chosen(self.added):
            try:
                added.append(store.check(self.added.data.filename, self.added.data.read(), ADDED_FILE_TYPES))
            except DomainError as error:
                self.added.errors = list(self.added.errors) + [error.message]
        return uploads, added

    def file_errors(self) -> bool:
        return any(f.errors for f in [*self.material_fields(), self.added])

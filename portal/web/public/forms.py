from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from portal import labels
from portal.domain.catalog import CatalogFilter


def _choices(mapping):
    return [SelectChoice("", _l("All"))] + [SelectChoice(value, label) for value, label in mapping.items()]


class CatalogFilterForm(FlaskForm):
    q = SearchField(_l("Search"), validators=[Optional(), Length(max=50)])
    department = SelectField(_l("Department"), choices=_choices(labels.DEPARTMENTS), default="")
    county = SelectField(_l("County"), choices=_choices(labels.COUNTY_SHORT), default="")
    mode = SelectField(_l("How it is handled"), choices=_choices(labels.MODES), default="")
    kind = SelectField(_l("Kind of service"), choices=_choices(labels.KINDS), default="")

    def criteria(self) -> CatalogFilter:
        return CatalogFilter(
            text=(self.q.data or "").strip(),
            department=self.department.data or None,
            county=self.county.data or None,
            mode=self.mode.data or None,
            kind=self.kind.data or None,
        )

"""The rating form is built for the case's channel: one 1–5 scale for the
whole and one for each aspect rated on that channel. The domain checks the
scores, so every message is the portal's own and sits next to its field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice

from portal import labels
from portal.domain.ratings import COMMENT_MAX, RESPONSE_MAX, SCORES, SUB_SCORES

# Best first, as rating devices show them.
SCALE = [SelectChoice(str(n), labels.RATING_LABELS[n]) for n in reversed(SCORES)]


def _scale(label) -> RadioField:
    return RadioField(label, choices=SCALE, validate_choice=False)


class RatingForm(FlaskForm):
    score = _scale(_l("Overall, how satisfied are you?"))
    comment = TextAreaField(
        _l("Comment (optional)"),
        description=_l("What went well or what should be better, in at most %(n)d characters.", n=COMMENT_MAX),
        render_kw={"maxlength": COMMENT_MAX, "rows": 4},
    )
    sub_keys: tuple[str, ...] = ()

    @classmethod
    def for_channel(cls, channel) -> type[RatingForm]:
        keys = SUB_SCORES[channel]
        attrs = {"sub_keys": keys}
        attrs.update({f"sub_{key}": _scale(labels.SUB_SCORES[key]) for key in keys})
        return type(f"RatingForm_{channel.value}", (cls,), attrs)

    def sub_fields(self):
        return [self[f"sub_{key}"] for key in self.sub_keys]

    def sub_scores(self) -> dict:
        return {key: self[f"sub_{key}"].data for key in self.sub_keys}


class CloseFollowUpForm(FlaskForm):
    response = TextAreaField(
        _l("Response to the applicant"),
        description=_l(
            "What the window found and what it has done about it. The applicant reads it on the case page."
        ),
        render_kw={"maxlength": RESPONSE_MAX, "rows": 6},
    )


class FollowUpFilterForm(FlaskForm):
    show = SelectField(
        _l("Show"),
        choices=[
            SelectChoice("all", _l("All follow-ups")),
            SelectChoice("open", _l("Unanswered")),
            SelectChoice("closed", _l("Answered")),
        ],
        default="all",
    )

"""Languages: Chinese (zh_CN) by default, English by a visible switch that
persists in the session and, for signed-in users, on the account."""

from __future__ import annotations

from pathlib import Path

from flask import g, has_request_context, session
from flask_babel import Domain, get_locale
from flask_login import current_user

from portal.extensions import babel

# Babel reads "zh_CN" as zh_Hans_CN (likely script added), so the Chinese
# catalog lives in translations/zh_Hans_CN where gettext looks for it.
LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LOCALE = "zh_CN"


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT_LOCALE
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    return DEFAULT_LOCALE


def _locale_in_force():
    """Flask-Babel's locale for this request, read where it keeps it
    (``force_locale`` changes it there), choosing it only the first time."""
    try:
        chosen = g._flask_babel.babel_locale
    except (AttributeError, RuntimeError):  # not chosen yet, or outside an app context
        chosen = None
    return chosen if chosen is not None else get_locale()


_CATALOGS: dict = {}


class _KeptCatalogs(Domain):
    """Flask-Babel's message domain, keeping each language's catalog per
    process: a page asks for it a few hundred times (templates, lazy
    labels, views), and Flask-Babel walks its request context on every ask."""

    def get_translations(self):
        locale = _locale_in_force()
        if locale is None:
            return super().get_translations()
        try:
            return _CATALOGS[locale]
        except KeyError:
            _CATALOGS[locale] = found = super().get_translations()
            return found


_DOMAIN = _KeptCatalogs()


def translations():
    """The catalog of the language in force, what ``get_translations()`` gives."""
    return _DOMAIN.get_translations()


def current_language() -> str:
    locale = _locale_in_force()
    return "en" if locale is not None and locale.language == "en" else "zh_CN"


def localized(obj, attr: str) -> str:
    """Pick ``attr_zh`` or ``attr_en`` of a model or dict for the current language."""
    suffix = "en" if current_language() == "en" else "zh"
    if isinstance(obj, dict):
        return obj.get(f"{attr}_{suffix}") or obj.get(f"{attr}_zh", "")
    return getattr(obj, f"{attr}_{suffix}") or getattr(obj, f"{attr}_zh")


def in_sentence(label: str) -> str:
    """'Business scope' inside an English sentence reads 'business scope'."""
    if current_language() == "en" and label[:1].isupper() and not label[:2].isupper():
        return label[0].lower() + label[1:]
    return label


def file_size(size: int | None) -> str:
    """A file's size in the reader's language: 588 字节 / 588 bytes,
    12.3 KB, 1.5 MB (1 KB = 1024 bytes)."""
    from flask_babel import format_decimal, gettext

    if size is None:
        return ""
    if size < 1024:
        return gettext("%(n)s bytes", n=format_decimal(size))
    if size < 1024 * 1024:
        return gettext("%(n)s KB", n=format_decimal(round(size / 1024, 1)))
    return gettext("%(n)s MB", n=format_decimal(round(size / (1024 * 1024), 1)))


def duration(minutes: int | float | None) -> str:
    """A span of time as people read it: minutes up to two hours, then
    hours with one decimal (4590 minutes is 76.5 hours)."""
    from flask_babel import format_decimal, gettext

    if minutes is None:
        return "—"
    if minutes < 120:
        return gettext("%(n)s min", n=format_decimal(round(minutes)))
    return gettext("%(n)s h", n=format_decimal(round(minutes / 60, 1)))


def html_lang() -> str:
    return "en" if current_language() == "en" else "zh-CN"


def init_app(app) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).with_name("translations"))
    babel.init_app(app, locale_selector=select_locale)
    babel.domain_instance = _DOMAIN  # lazy labels and views' gettext read the kept catalogs too
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.filters["l10n"] = localized
    # labels reads the current language from this module: imported here, not at the top.
    from portal import labels
    from portal.domain.identity import mask_id_number, mask_mobile, mask_name

    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, current_language=current_language, html_lang=html_lang, labels=labels
    )
    app.jinja_env.filters.update(
        mask_id=mask_id_number, mask_mobile=mask_mobile, mask_name=mask_name, file_size=file_size, duration=duration
    )

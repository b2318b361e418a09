from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[1] / "portal" / "translations"


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_every_message_is_translated_and_none_is_fuzzy(locale):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=locale, abort_invalid=True)
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        template = read_po(handle, abort_invalid=True)  # a msgid without its msgstr is an error, not a warning
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        strings = translated.string if translated is not None else ""
        strings = strings if isinstance(strings, tuple) else (strings,)
        if translated is None or not all(strings) or translated.fuzzy:
            missing.append(message.id)
    assert missing == []


def test_a_page_in_chinese_can_write_a_message_in_english_and_go_on_in_chinese(app):
    """Templates read the catalog kept per language (portal.i18n.translations):
    an English text written inside a Chinese request (force_locale, as the
    API's messages are) is English, and what follows is Chinese again."""
    from flask import render_template_string
    from flask_babel import force_locale, gettext, lazy_gettext

    line = "{{ _('Sign in') }} / {{ ngettext('%(num)d task', '%(num)d tasks', 2) }}"
    label = lazy_gettext("Sign in")  # as labels and forms hold them

    def written():
        return render_template_string(line), gettext("Sign in"), str(label)

    with app.test_request_context("/"):
        before = written()
        with force_locale("en"):
            inside = written()
        after = written()
    assert before == after == ("登录 / 共2项任务", "登录", "登录")
    assert inside == ("Sign in / 2 tasks", "Sign in", "Sign in")

"""Sizes and durations as people read them, in their own language."""

import pytest
from flask_babel import force_locale

from portal.i18n import duration, file_size


@pytest.mark.parametrize(
    "size, chinese, english",
    [(588, "588 字节", "588 bytes"), (12_595, "12.3 KB", "12.3 KB"), (1_572_864, "1.5 MB", "1.5 MB"), (None, "", "")],
)
def test_file_sizes_are_written_in_the_readers_language(app, size, chinese, english):
    with app.test_request_context("/"):
        with force_locale("zh_CN"):
            assert file_size(size) == chinese
        with force_locale("en"):
            assert file_size(size) == english


@pytest.mark.parametrize(
    "minutes, chinese, english",
    [(45, "45 分钟", "45 min"), (119, "119 分钟", "119 min"), (120, "2 小时", "2 h"), (4590, "76.5 小时", "76.5 h"), (None, "—", "—")],
)
def test_durations_over_two_hours_are_written_in_hours(app, minutes, chinese, english):
    with app.test_request_context("/"):
        with force_locale("zh_CN"):
            assert duration(minutes) == chinese
        with force_locale("en"):
            assert duration(minutes) == english

"""What people type, made comparable and safe to show: codes NFKC-normalised,
names as on an ID card, free text without hidden characters."""

import pytest

from portal.domain import DomainError
from portal.domain.identity import normalise_id_number, normalise_mobile
from portal.domain.text import free_text, person_name, required_text, typed_code
from tests.factories import now, valid_id_number


def test_full_width_digits_and_letters_in_a_code_become_ascii():
    assert typed_code(" １３８０００００００１ ") == "13800000001"
    assert typed_code("ＫＳＣＳ２０２６") == "KSCS2026"
    assert normalise_mobile("１３８　０００００ ００１") == "13800000001"
    number = valid_id_number("330822", "19900101")
    full_width = number.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})
    assert full_width != number and normalise_id_number(full_width, now().date()) == number


@pytest.mark.parametrize("mobile", ["13８０００００００１", "١٣٨٠٠٠٠٠٠٠١", "1380000000१"])
def test_digits_of_other_scripts_are_no_mobile_number_unless_nfkc_makes_them_ascii(mobile):
    if typed_code(mobile).isascii():
        assert normalise_mobile(mobile) == "13800000001"
    else:
        with pytest.raises(DomainError):
            normalise_mobile(mobile)


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("王小明", "王小明"),
        ("  欧阳  娜娜 ", "欧阳 娜娜"),
        ("阿沛·阿旺晋美", "阿沛·阿旺晋美"),
        ("阿沛・阿旺晋美", "阿沛·阿旺晋美"),  # the katakana middle dot a Japanese IME types
        ("阿沛•阿旺晋美", "阿沛·阿旺晋美"),
        ("Ｍａｒｙ Ｗａｎｇ", "Mary Wang"),
        ("Jean-Pierre O'Neil", "Jean-Pierre O'Neil"),
        ("Zoë Müller", "Zoë Müller"),
        ("", ""),
    ],
)
def test_names_keep_chinese_characters_the_middle_dot_and_latin_letters(typed, kept):
    assert person_name(typed, "real_name") == kept


@pytest.mark.parametrize(
    "name",
    ["王小明\u202e假", "王\u200b小明", "王小明\u2066", "王\x07小明", "王小明1", "王小明<script>", "王小明!", "·王小明", "王" * 51, "Иван"],
)
def test_names_with_hidden_characters_digits_symbols_or_other_scripts_are_refused(name):
    with pytest.raises(DomainError) as refused:
        person_name(name, "applicant_name")
    assert refused.value.field == "applicant_name"


def test_hidden_characters_are_refused_in_free_text_with_a_message_naming_them():
    with pytest.raises(DomainError) as refused:
        free_text("材料齐全\u202e，予以受理", "note", 500)
    assert refused.value.field == "note" and "hidden" in str(refused.value.message)
    for hidden in ("\u200b", "\u200d", "\ufeff", "\u2028", "\x1b[31m", "\x7f", "\ue000"):
        with pytest.raises(DomainError):
            free_text(f"请补正{hidden}材料", "note", 500)
    with pytest.raises(DomainError):
        required_text("不予受理\u2067", "reason", 500)


def test_free_text_keeps_line_breaks_tabs_and_chinese_punctuation():
    assert free_text(" 第一，材料：\r\n第二\t页 ", "note", 500) == "第一，材料：\n第二\t页"
    with pytest.raises(DomainError):
        free_text("第一\n第二", "name", 60, multiline=False)
    with pytest.raises(DomainError):
        free_text("长" * 11, "note", 10)

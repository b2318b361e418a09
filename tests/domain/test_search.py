"""The staff's case search: each kind of thing the box takes finds the case,
only among the cases the searcher may see, with a message for anything else."""

import pytest

from portal.domain import DomainError
from portal.domain.search import MAX_PAGES, NUMBER_PREFIX_MIN, PER_PAGE, find_cases, read_query
from portal.domain.tracking import tracking_token
from portal.models import County
from tests.factories import create_case, create_task, create_user, valid_id_number

KEY = "test-secret-key-of-at-least-32-bytes"


@pytest.fixture
def clerk(session):
    return create_user(session, "clerk", window_county=County.changshan)


def found(session, user, text, page=1):
    return find_cases(session, user, text, KEY, page).cases


def test_a_whole_case_number_finds_the_case_typed_in_small_or_full_width_letters(session, clerk):
    case = create_case(session, number="KSCS202611020007")
    create_case(session, number="KSCS202611020008")
    assert found(session, clerk, "kscs202611020007") == [case]
    assert found(session, clerk, "ＫＳＣＳ２０２６１１０２０００７") == [case]
    assert find_cases(session, clerk, "KSCS202611020007", KEY).single_exact is case


def test_the_first_characters_of_a_case_number_find_every_case_they_begin_newest_first(session, clerk):
    first = create_case(session, number="KSCS202611020001")
    second = create_case(session, number="KSCS202611020002")
    create_case(session, number="KSCS202611030001")
    result = find_cases(session, clerk, "KSCS20261102", KEY)
    assert result.cases == [second, first]
    assert result.single_exact is None


def test_fewer_characters_of_a_case_number_than_its_window_and_date_are_refused(session, clerk):
    with pytest.raises(DomainError) as caught:
        read_query("KSCS2026110", KEY)
    assert caught.value.field == "q"
    assert str(NUMBER_PREFIX_MIN) in str(caught.value.message)


def test_the_receipts_qr_code_finds_its_case_as_a_link_or_a_token(session, clerk):
    case = create_case(session)
    create_case(session)
    token = tracking_token(case, KEY)
    assert found(session, clerk, f"http://portal.example/track/{token}") == [case]
    assert found(session, clerk, f" {token}\n") == [case]
    assert find_cases(session, clerk, token, KEY).single_exact is case


def test_a_qr_code_signed_with_another_key_or_changed_finds_nothing(session, clerk):
    case = create_case(session)
    with pytest.raises(DomainError):
        read_query(f"/track/{tracking_token(case, 'another-key-of-at-least-32-bytes!!')}", KEY)
    with pytest.raises(DomainError):
        read_query(tracking_token(case, KEY)[:-2] + "xx", KEY)


def test_an_id_number_finds_every_case_of_the_applicant_with_a_small_x(session, clerk):
    id_number = valid_id_number(serial=1)
    while not id_number.endswith("X"):  # a number whose check character is X
        id_number = valid_id_number()
    cases = [create_case(session, applicant_id_number=id_number) for _ in range(2)]
    create_case(session)
    assert found(session, clerk, id_number.lower()) == cases[::-1]
    assert found(session, clerk, id_number[:6] + " " + id_number[6:]) == cases[::-1]


def test_a_mobile_number_finds_the_applicants_cases(session, clerk):
    case = create_case(session, applicant_mobile="13912345678")
    create_case(session)
    assert found(session, clerk, "13912345678") == [case]
    assert found(session, clerk, "+86 139-1234-5678") == [case]
    assert found(session, clerk, "１３９１２３４５６７８") == [case]


def test_part_of_a_name_finds_the_applicants_whose_name_contains_it(session, clerk):
    ouyang = create_case(session, applicant_name="欧阳娜娜")
    zhang = create_case(session, applicant_name="张娜")
    create_case(session, applicant_name="李春花")
    assert found(session, clerk, "欧阳") == [ouyang]
    assert found(session, clerk, "娜娜") == [ouyang]
    assert found(session, clerk, "张娜") == [zhang]
    assert found(session, clerk, "王五") == []


def test_a_latin_name_is_found_whatever_its_letters_case(session, clerk):
    case = create_case(session, applicant_name="Maria Schmidt")
    assert found(session, clerk, "schmidt") == [case]


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "张", "12345", "1381234567", "1234567890123", "KSCS2", "张三@", "KSCS20261102000700001"],
)
def test_what_is_no_kind_of_query_gets_a_message_for_the_box(session, typed):
    with pytest.raises(DomainError) as caught:
        read_query(typed, KEY)
    assert caught.value.field == "q"


def test_a_name_search_shows_twenty_a_page_and_stops_after_ten_pages(session, clerk):
    for _ in range(PER_PAGE + 1):
        create_case(session, applicant_name="王小明")
    first = find_cases(session, clerk, "王小明", KEY)
    second = find_cases(session, clerk, "王小明", KEY, page=2)
    assert (len(first.cases), first.more) == (PER_PAGE, True)
    assert (len(second.cases), second.more) == (1, False)
    assert not set(first.cases) & set(second.cases)
    assert find_cases(session, clerk, "王小明", KEY, page=MAX_PAGES + 5).page == MAX_PAGES


def test_a_clerk_finds_only_the_cases_their_window_received(session):
    here = create_case(session, receiving_county="changshan", applicant_name="赵一", applicant_mobile="13900000001")
    there = create_case(session, receiving_county="yushan", applicant_name="赵一", applicant_mobile="13900000001")
    changshan = create_user(session, "clerk", window_county=County.changshan)
    yushan = create_user(session, "clerk", window_county=County.yushan)
    assert found(session, changshan, "赵一") == [here]
    assert found(session, yushan, "13900000001") == [there]
    assert found(session, yushan, here.number) == []
    assert found(session, yushan, tracking_token(here, KEY)) == []


def test_an_officer_finds_only_cases_with_a_task_of_their_agency(session):
    ours = create_case(session, status="in_progress", applicant_name="钱二")
    theirs = create_case(session, status="in_progress", applicant_name="钱二")
    create_task(session, ours, "cs-psb")
    create_task(session, theirs, "ys-psb")
    officer = create_user(session, "officer", agency_code="cs-psb")
    assert found(session, officer, "钱二") == [ours]
    assert found(session, officer, theirs.number) == []
    assert found(session, officer, theirs.applicant_id_number) == []


def test_a_supervisor_finds_a_case_of_either_window_and_a_resident_none(session):
    here = create_case(session, receiving_county="changshan", applicant_name="孙三")
    there = create_case(session, receiving_county="yushan", applicant_name="孙三")
    assert found(session, create_user(session, "supervisor"), "孙三") == [there, here]
    assert found(session, create_user(session, "resident"), "孙三") == []

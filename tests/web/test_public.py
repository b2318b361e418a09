import pytest

from tests.pages import text_of


def test_home_lists_the_23_services_in_chinese_by_default(client):
    page = client.page("/")
    assert page.html["lang"] == "zh-CN"
    assert text_of(page, "h1") == "一次申请，两省通办"
    links = page.select("table a[href^='/services/']")
    assert len(links) == 23
    assert links[0].get_text() == "居住证申领"
    assert "浙江省常山县" in page.get_text() and "江西省玉山县" in page.get_text()


def test_the_english_switch_persists_across_pages_and_back(client):
    response = client.get("/language/en?next=/services")
    assert response.status_code == 302 and response.headers["Location"] == "/services"
    page = client.page("/")
    assert page.html["lang"] == "en"
    assert text_of(page, "h1") == "Apply once, served in both provinces"
    assert page.select("table a[href^='/services/']")[0].get_text() == "Residence permit — first issue"
    client.get("/language/zh_CN")
    assert text_of(client.page("/"), "h1") == "一次申请，两省通办"


def test_an_unknown_language_code_is_a_404_in_the_current_language(client):
    page = client.page("/language/fr", status=404)
    assert text_of(page, "h1") == "页面不存在"
    assert page.html["lang"] == "zh-CN"


def test_the_language_switch_never_redirects_to_another_site(client):
    for target in ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]:
        response = client.get("/language/en", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_the_catalog_filters_by_department_mode_and_kind(client):
    page = client.page("/services?department=psb")
    assert len(page.select("table tbody tr")) == 7
    page = client.page("/services?mode=joint")
    assert len(page.select("table tbody tr")) == 6
    page = client.page("/services?kind=instant")
    names = [a.get_text() for a in page.select("table tbody a")]
    assert names == ["居住证申领", "居住证签注", "就业失业登记"]


def test_the_catalog_search_matches_chinese_english_and_codes(client):
    assert [a.get_text() for a in client.page("/services?q=居住证").select("table tbody a")] == [
        "居住证申领", "居住证签注", "居住证换领补领",
    ]
    assert len(client.page("/services?q=pension").select("table tbody tr")) == 1
    assert len(client.page("/services?q=eme-").select("table tbody tr")) == 3
    page = client.page("/services?q=100%25_")
    assert page.select("table tbody tr") == []
    assert page.select_one(".empty") is not None


def test_choosing_a_county_shows_that_countys_agencies_beside_each_service(client):
    page = client.page("/services?county=yushan&department=drc")
    header = [th.get_text() for th in page.select("thead th")]
    assert "玉山" in header[-1]
    cells = [row.select("td")[-1].get_text(" ", strip=True) for row in page.select("tbody tr")]
    assert cells[0] == "玉山县发展和改革委员会"
    assert "玉山县应急管理局" in cells[1]


def test_an_invalid_filter_value_shows_every_service_and_explains(client):
    page = client.page("/services?department=tax")
    assert len(page.select("table tbody tr")) == 23
    assert page.select_one(".error-summary") is not None


def test_a_service_page_gives_the_one_time_notice_and_who_acts(client):
    page = client.page("/services/psb-hukou-move")
    assert text_of(page, "h1") == "户口跨省迁移"
    materials = page.select("#materials-title ~ .table-scroll tbody tr")
    assert len(materials) >= 2
    routing = text_of(page, ".stages")
    assert "常山县公安局" in routing and "玉山县公安局" in routing
    assert len(page.select(".stages > li")) == 2


def test_an_unknown_service_is_a_404(client):
    client.page("/services/no-such-service", status=404)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("户口迁移", {"psb-hukou-move"}),  # characters skipped: 户口跨省迁移
        (
            "公安",
            {"psb-rp-apply", "psb-rp-endorse", "psb-rp-replace", "psb-hukou-cert", "psb-hukou-move", "psb-no-record", "psb-exit-entry"},
        ),
        ("mediation", {"gov-dispute", "gov-biz-dispute", "gov-border-report"}),
    ],
)
def test_search_finds_services_by_department_and_loose_chinese_terms(client, query, expected):
    page = client.page("/services", query_string={"q": query})
    found = {a["href"].rsplit("/", 1)[-1] for a in page.select("table tbody a")}
    assert expected <= found

"""The per-test cleanup itself: a test that changes the catalog or the
calendar must not leave the change to the tests after it."""

import pytest
from sqlalchemy import delete, select, update

from portal.domain.calendar import seed_calendar
from portal.models import Agency, Service
from portal.models.enums import DeliveryMode
from tests.conftest import CATALOG, _calendar_changed
from tests.factories import at

CHANGES = {
    "an agency deactivated": lambda session: session.execute(update(Agency).where(Agency.code == "ys-psb").values(active=False)),
    "an agency switched to http": lambda session: session.execute(
        update(Agency).where(Agency.code == "ys-hrss").values(
            delivery_mode=DeliveryMode.http, endpoint_url="http://127.0.0.1:9/tasks", signing_secret="s3cret"
        )
    ),
    "a routing plan edited": lambda session: session.execute(
        update(Service).where(Service.code == "hrss-employment").values(routing=[])
    ),
    "a service removed": lambda session: session.execute(delete(Service).where(Service.code == "psb-rp-apply")),
}


def catalog_facts(session):
    agencies = session.execute(
        select(Agency.code, Agency.active, Agency.delivery_mode, Agency.endpoint_url, Agency.signing_secret)
        .order_by(Agency.code)
    ).all()
    services = session.execute(select(Service.code, Service.routing, Service.active).order_by(Service.code)).all()
    return agencies, services


def test_an_untouched_catalog_is_not_reloaded(session):
    assert CATALOG.restore_if_changed(session) is False


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_changed_catalog_is_noticed_and_loaded_again(session, change):
    before = catalog_facts(session)
    change(session)
    session.expire_all()
    assert catalog_facts(session) != before
    assert CATALOG.restore_if_changed(session) is True
    session.expire_all()
    assert catalog_facts(session) == before
    assert CATALOG.restore_if_changed(session) is False


def test_a_calendar_seeded_from_another_date_is_noticed(session):
    assert not _calendar_changed()
    seed_calendar(session, at("2029-06-01"))  # as the seed command does, years after the real date
    assert _calendar_changed()

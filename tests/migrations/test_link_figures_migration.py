"""Migration 0011: the figures that follow from the distance leave the stored sentences for slots, and back."""
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from marketplace.services.matching import start_run


def _row(db, link_id):
    return db.session.execute(sa.text("SELECT explanation_zh, explanation_en FROM link WHERE id = :id"),
                              {"id": link_id}).one()


def _transport_co2(db, link_id) -> float:
    return db.session.execute(sa.text("SELECT transport_co2_t FROM link WHERE id = :id"), {"id": link_id}).scalar_one()


def test_figures_become_slots_on_upgrade_and_figures_again_on_downgrade(app, db, make_site, make_listing):
    power = make_site(sector_code="4411", lonlat=(117.213, 31.812), name_zh="甲电厂", name_en="Plant A")
    cement = make_site(sector_code="3011", lonlat=(117.4, 31.9), name_zh="乙水泥厂", name_en="Cement B")
    make_listing(site=power, kind="offer", material="coal-fly-ash", quantity=10_000, visibility="anonymous")
    make_listing(site=cement, kind="want", material="coal-fly-ash", quantity=6_000)
    (link,) = start_run(park=None).links
    link_id, net, co2, transport_co2 = link.id, link.net_benefit_cny, link.co2_avoided_t, link.transport_co2_t
    templates = _row(db, link_id)
    assert transport_co2 > 0
    for slot in ("{transport}", "{net_per_unit}", "{net}", "{co2}"):
        assert slot in templates[0] and slot in templates[1]
    db.session.commit()
    db.session.remove()

    downgrade(revision="0010_admin")
    zh, en = _row(db, link_id)
    assert "{net}" not in zh + en and "{transport}" not in zh + en and "{supplier}" in en
    assert f"net benefit {net / 1e6:,.2f} million CNY/yr" in en
    assert f"年净效益{net / 1e4:,.1f}万元" in zh and f"{co2:,.0f} t CO2 avoided a year" in en
    assert "transport_co2_t" not in {c["name"] for c in sa.inspect(db.engine).get_columns("link")}
    db.session.remove()

    upgrade()
    assert _row(db, link_id) == templates
    # Worked out again from the route's stated saving, as the engine does.
    assert abs(_transport_co2(db, link_id) - transport_co2) < 1e-6 * max(1.0, transport_co2)

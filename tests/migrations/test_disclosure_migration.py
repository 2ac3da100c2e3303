"""Migration 0009: stored explanations become templates naming nobody, and back."""
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from marketplace.services.matching import start_run


def _texts(db, link_id):
    return db.session.execute(sa.text("SELECT explanation_zh, explanation_en FROM link WHERE id = :id"),
                              {"id": link_id}).one()


def test_explanations_lose_their_names_on_upgrade_and_get_them_back_on_downgrade(app, db, make_site, make_listing):
    power = make_site(sector_code="4411", lonlat=(117.213, 31.812), name_zh="甲电厂", name_en="Plant {A}")
    cement = make_site(sector_code="3011", lonlat=(117.4, 31.9), name_zh="乙水泥厂", name_en="Cement B")
    make_listing(site=power, kind="offer", material="coal-fly-ash", quantity=10_000, visibility="anonymous")
    make_listing(site=cement, kind="want", material="coal-fly-ash", quantity=6_000)
    (link,) = start_run(park=None).links
    link_id = link.id
    templates = _texts(db, link_id)
    assert templates[0].startswith("{supplier}") and "{road_km}" in templates[1]
    db.session.commit()
    db.session.remove()

    downgrade(revision="0008_reservations")
    named_zh, named_en = _texts(db, link_id)
    assert named_zh.startswith("甲电厂每年可向乙水泥厂供应") and named_en.startswith("Plant {A} can send")
    assert "{supplier}" not in named_zh + named_en and "{road_km}" not in named_zh + named_en
    db.session.remove()

    upgrade()
    assert _texts(db, link_id) == templates

"""The knowledge base in the database: kb sync mirrors matching/knowledge/."""
from sqlalchemy import func, select

from matching.knowledge.loader import load_knowledge
from marketplace.models import Material, Route


def test_upgrade_loaded_every_material_and_route(db):
    knowledge = load_knowledge()
    assert db.session.scalar(select(func.count(Material.code))) == len(knowledge.materials)
    assert db.session.scalar(select(func.count(Route.id))) == len(knowledge.routes)
    fly_ash = db.session.get(Material, "coal-fly-ash")
    assert fly_ash.name_zh == "粉煤灰" and "PFA" in fly_ash.synonyms and fly_ash.bulk
    assert any(a["key"] == "loi_pct" for a in fly_ash.quality_attributes)


def test_kb_sync_is_idempotent_and_repairs_edits(runner, db):
    result = runner.invoke(args=["kb", "sync"])
    assert result.exit_code == 0 and "materials: 0 added, 0 updated, 0 removed" in result.output
    material = db.session.get(Material, "coal-fly-ash")
    material.name_en = "tampered"
    db.session.commit()
    result = runner.invoke(args=["kb", "sync"])
    assert "materials: 0 added, 1 updated" in result.output
    db.session.expire_all()
    assert db.session.get(Material, "coal-fly-ash").name_en != "tampered"

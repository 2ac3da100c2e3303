"""Explanations are rendered for each viewer from the link's figures, not stored with names

A link's ``explanation_zh`` / ``explanation_en`` now hold templates (matching.explain.explain_template):
the sentence with the slots ``{supplier}``, ``{receiver}`` and ``{road_km}``, every other brace doubled.
Upgrade turns the sentences stored so far into such templates: each side's site names become its slot,
and the road distance its slot. Downgrade writes the names and distance back.

Revision ID: 0009_disclosure
Revises: 0008_reservations
"""
import re

import sqlalchemy as sa
from alembic import op

revision = "0009_disclosure"
down_revision = "0008_reservations"
branch_labels = None
depends_on = None

# The road distance the engine assumes (matching.types.MatchOptions.detour_factor), written out so
# that this migration does not change when the engine's default does.
DETOUR_FACTOR = 1.3
_KM = {"en": re.compile(r"(?<![\d,.])\d[\d,]* km (?=by |away)"), "zh": re.compile(r"(?<=运距约)\d[\d,]*(?=公里)")}
_SLOT = re.compile(r"\{\{|\}\}|\{(supplier|receiver|road_km)\}")

link = sa.table("link", sa.column("id", sa.Integer), sa.column("supplier_site_id", sa.Integer),
                sa.column("receiver_site_id", sa.Integer), sa.column("distance_km", sa.Float),
                sa.column("explanation_zh", sa.Text), sa.column("explanation_en", sa.Text))
site = sa.table("site", sa.column("id", sa.Integer), sa.column("name_zh", sa.String),
                sa.column("name_en", sa.String))


def _names(connection) -> dict[int, tuple[str, str]]:
    return {row.id: (row.name_zh or "", row.name_en or "") for row in connection.execute(
        sa.select(site.c.id, site.c.name_zh, site.c.name_en))}


def _template(sentence: str, language: str, supplier: tuple[str, str], receiver: tuple[str, str]) -> str:
    if not sentence or "{supplier}" in sentence:
        return sentence
    text = sentence.replace("{", "{{").replace("}", "}}")
    # Longest name first, so that a site called "X" does not cut into "X Plant".
    marks = {}
    for slot, names in (("supplier", supplier), ("receiver", receiver)):
        for name in names:
            if name:
                marks[name.replace("{", "{{").replace("}", "}}")] = "{" + slot + "}"
    for name in sorted(marks, key=len, reverse=True):
        text = text.replace(name, marks[name])
    if language == "en":
        return _KM["en"].sub("{road_km} km ", text, count=1)
    return _KM["zh"].sub("{road_km}", text, count=1)


def upgrade() -> None:
    connection = op.get_bind()
    names = _names(connection)
    rows = connection.execute(sa.select(link)).all()
    for row in rows:
        supplier, receiver = names.get(row.supplier_site_id, ("", "")), names.get(row.receiver_site_id, ("", ""))
        connection.execute(link.update().where(link.c.id == row.id).values(
            explanation_zh=_template(row.explanation_zh, "zh", supplier, receiver),
            explanation_en=_template(row.explanation_en, "en", supplier, receiver)))


def downgrade() -> None:
    connection = op.get_bind()
    names = _names(connection)
    for row in connection.execute(sa.select(link)).all():
        supplier, receiver = names.get(row.supplier_site_id, ("", "")), names.get(row.receiver_site_id, ("", ""))
        km = f"{row.distance_km * DETOUR_FACTOR:,.0f}"
        values = {}
        for column, language in (("explanation_zh", "zh"), ("explanation_en", "en")):
            english = language == "en"
            filled = {"supplier": (supplier[1] or supplier[0]) if english else supplier[0],
                      "receiver": (receiver[1] or receiver[0]) if english else receiver[0], "road_km": km}
            values[column] = _SLOT.sub(lambda m: filled[m.group(1)] if m.group(1) else m.group(0)[0],
                                       getattr(row, column) or "")
        connection.execute(link.update().where(link.c.id == row.id).values(**values))

"""A link's explanation leaves every figure that follows from the distance to the reader's view

A reader from whom a side is hidden is given a rounded distance; the transport cost, net benefit and CO2
balance written into the stored sentence would give the exact distance back. The templates now carry the
slots ``{transport}``, ``{net_per_unit}``, ``{net}`` and ``{co2}`` beside ``{road_km}`` (see
matching.explain.explain_template), and ``link.transport_co2_t`` keeps what the transport emits, so the
CO2 balance can be given for the rounded distance too.

Upgrade adds the column (from the route's stated saving per unit, as the engine computes it) and turns
the figures in the stored sentences into their slots. Downgrade writes the link's own figures back.

Revision ID: 0011_link_figures
Revises: 0010_admin
"""
import math
import re

import sqlalchemy as sa
from alembic import op

revision = "0011_link_figures"
down_revision = "0010_admin"
branch_labels = None
depends_on = None

_N = r"-?\d[\d,]*(?:\.\d+)?"
# Each figure as matching.explain writes it, in each language's sentence (both the routed and the by-name one).
_FIGURES = {
    "en": [
        (re.compile(rf"net benefit {_N}(?: million)? CNY/yr"), "net benefit {net}/yr"),
        (re.compile(rf"\({_N} CNY/(\S+) after {_N} CNY/\S+ transport\)"),
         r"({net_per_unit} CNY/\1 after {transport} CNY/\1 transport)"),
        (re.compile(rf"transport costs about {_N} CNY/"), "transport costs about {transport} CNY/"),
        (re.compile(rf"{_N} t CO2 avoided a year"), "{co2} t CO2 avoided a year"),
        (re.compile(rf"transport emits {_N} t CO2 a year"), "transport emits {co2} t CO2 a year"),
    ],
    "zh": [
        (re.compile(rf"扣除每([^\d\-]+?){_N}元运费后每([^\d\-]+?)净效益{_N}元"),
         r"扣除每\1{transport}元运费后每\2净效益{net_per_unit}元"),
        (re.compile(rf"年净效益{_N}(?:亿元|万元|元)"), "年净效益{net}"),
        (re.compile(rf"运费约每([^\d\-]+?){_N}元"), r"运费约每\1{transport}元"),
        (re.compile(rf"年减排二氧化碳{_N}吨"), "年减排二氧化碳{co2}吨"),
        (re.compile(rf"运输排放比利用减排多{_N}吨"), "运输排放比利用减排多{co2}吨"),
    ],
}
_SLOT = re.compile(r"\{\{|\}\}|\{(supplier|receiver|road_km|transport|net_per_unit|net|co2)\}")

link = sa.table("link", sa.column("id", sa.Integer), sa.column("route_id", sa.String),
                sa.column("quantity", sa.Float), sa.column("transport_cost_cny", sa.Float),
                sa.column("net_benefit_cny", sa.Float), sa.column("co2_avoided_t", sa.Float),
                sa.column("transport_co2_t", sa.Float),
                sa.column("explanation_zh", sa.Text), sa.column("explanation_en", sa.Text))
route = sa.table("route", sa.column("id", sa.String), sa.column("details", sa.JSON))


def _template(sentence: str, language: str) -> str:
    if not sentence or "{net}" in sentence:
        return sentence
    for pattern, slot in _FIGURES[language]:
        sentence = pattern.sub(slot, sentence, count=1)
    return sentence


def upgrade() -> None:
    op.add_column("link", sa.Column("transport_co2_t", sa.Float(), server_default="0", nullable=False))
    connection = op.get_bind()
    saving = {row.id: float((row.details or {}).get("co2_avoided_t_per_unit") or 0.0)
              for row in connection.execute(sa.select(route.c.id, route.c.details))}
    for row in connection.execute(sa.select(link)).all():
        values = {"explanation_zh": _template(row.explanation_zh, "zh"),
                  "explanation_en": _template(row.explanation_en, "en")}
        if row.route_id in saving:
            values["transport_co2_t"] = max(0.0, saving[row.route_id] * row.quantity - row.co2_avoided_t)
        connection.execute(link.update().where(link.c.id == row.id).values(**values))


def _money(value: float, language: str) -> str:
    if language == "en":
        return f"{value / 1e6:,.2f} million CNY" if abs(value) >= 1e6 else f"{value:,.0f} CNY"
    if abs(value) >= 1e8:
        return f"{value / 1e8:,.2f}亿元"
    return f"{value / 1e4:,.1f}万元" if abs(value) >= 1e4 else f"{value:,.0f}元"


def _per_unit(value: float) -> str:
    if abs(value) >= 10 or value == 0:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) >= 0.01 else f"{value:.4f}"


def _number(value: float) -> str:
    if abs(value) >= 10 or value == 0:
        return f"{value:,.0f}"
    return f"{value:.{max(1, 1 - math.floor(math.log10(abs(value))))}f}".rstrip("0").rstrip(".")


def downgrade() -> None:
    connection = op.get_bind()
    for row in connection.execute(sa.select(link)).all():
        quantity = row.quantity or 1.0
        values = {}
        for column, language in (("explanation_zh", "zh"), ("explanation_en", "en")):
            filled = {"transport": _per_unit(row.transport_cost_cny / quantity),
                      "net_per_unit": _per_unit(row.net_benefit_cny / quantity),
                      "net": _money(row.net_benefit_cny, language), "co2": _number(abs(row.co2_avoided_t))}
            values[column] = _SLOT.sub(
                lambda m: filled.get(m.group(1), m.group(0)) if m.group(1) else m.group(0), getattr(row, column) or "")
        connection.execute(link.update().where(link.c.id == row.id).values(**values))
    with op.batch_alter_table("link") as batch:
        batch.drop_column("transport_co2_t")

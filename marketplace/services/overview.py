"""Figures for the home page."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..models import Organisation, Park, Site


@dataclass(frozen=True)
class Overview:
    organisations: int
    sites: int
    parks: int
    demo: bool


def marketplace_overview() -> Overview:
    count = lambda column: db.session.scalar(select(func.count(column))) or 0  # noqa: E731
    demo = db.session.scalar(select(Organisation.id).where(Organisation.is_demo).limit(1)) is not None
    return Overview(count(Organisation.id), count(Site.id), count(Park.id), demo)

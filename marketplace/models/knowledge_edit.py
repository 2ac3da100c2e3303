"""Administrators' edits of the knowledge base, applied over the reviewed data files at run time."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

EDIT_KINDS = ("material", "route")


class KnowledgeEdit(db.Model):
    """One material or route as an administrator saved it: the whole entry, in the data files' shape."""

    __tablename__ = "knowledge_edit"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    # The material's code or the route's id.
    key: Mapped[str] = mapped_column(String(60))
    # The data file the entry belongs in (routes-solidwaste.yaml …), for the export to the repository.
    file: Mapped[str] = mapped_column(String(60))
    entry: Mapped[dict] = mapped_column(JSON)
    edited_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    edited_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())

    def __repr__(self) -> str:
        return f"<KnowledgeEdit {self.kind} {self.key}>"

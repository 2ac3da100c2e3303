"""flask kb sync: the materials knowledge base from matching/knowledge/ into the database."""
from __future__ import annotations

import click
from flask import Blueprint

from ..cli import fail
from ..extensions import db

bp = Blueprint("knowledge_commands", __name__, cli_group=None)


@bp.cli.group()
def kb():
    """The materials knowledge base."""


@kb.command("sync")
def kb_sync():
    """Load matching/knowledge/ (materials and routes) into the database."""
    from matching.knowledge.errors import KnowledgeError

    from ..services.knowledge import sync_knowledge

    try:
        with db.engine.begin() as connection:
            result = sync_knowledge(connection)
    except KnowledgeError as exc:
        fail(str(exc))
    click.echo(f"materials: {result.materials_added} added, {result.materials_updated} updated, "
               f"{result.materials_removed} removed; routes: {result.routes_added} added, "
               f"{result.routes_updated} updated, {result.routes_removed} removed")

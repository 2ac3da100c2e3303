"""flask match run: the matching engine over the published listings."""
from __future__ import annotations

import click
from flask import Blueprint
from sqlalchemy import select

from ..cli import fail
from ..extensions import db
from ..models import Park

bp = Blueprint("match_commands", __name__, cli_group=None)


@bp.cli.group()
def match():
    """The matching engine."""


@match.command("run")
@click.option("--park", "park_code", help="Only links with at least one side in this park (its code).")
@click.option("--latent", is_flag=True, help="Also propose sites that use the material but posted no want.")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@click.option("--distributed", is_flag=True,
              help="Partition the matching over a Dask cluster (same answer as one process).")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="The Dask scheduler for --distributed (default: DASK_SCHEDULER_ADDRESS, else a local cluster).")
@click.option("--partitions", type=click.IntRange(min=1),
              help="Spatial partitions per material group for --distributed (default: by size).")
def match_run(park_code: str | None, latent: bool, fmt: str, distributed: bool, scheduler: str | None,
              partitions: int | None):
    """Run the matcher over the published listings, store the run, print its links.

    Executed here and now (not queued): the JSON is built from the engine's result and written out piece by
    piece, a link a line, as it is made.
    """
    from matching.errors import MatchingError

    from ..services.match_runs import run_now

    park = None
    if park_code:
        park = db.session.scalar(select(Park).where(Park.code == park_code))
        if park is None:
            fail(f"no park with the code {park_code!r}")
    if (scheduler or partitions) and not distributed:
        fail("--scheduler and --partitions are for --distributed runs")
    if distributed:
        from ..services.jobs import scheduler_address

        scheduler = scheduler or scheduler_address()
    try:
        outcome = run_now(park=park, latent=latent, executor="dask" if distributed else "engine",
                          scheduler=scheduler, partitions=partitions)
    except MatchingError as exc:
        fail(str(exc))
    if fmt == "json":
        import sys

        for chunk in outcome.json_chunks():
            sys.stdout.write(chunk)  # buffered by the stream; the whole document is never one string
        sys.stdout.flush()
        return
    where = f" (dask, {outcome.run.counts.get('partitions', 1)} partitions)" if distributed else ""
    click.echo(f"Run {outcome.run.id}: {len(outcome.links)} links proposed{where}")
    for link in outcome.link_documents():
        receiver = link.get("want") or link.get("receiver")
        click.echo(f"  {link['offer']['site_id']:<16} -> {receiver['site_id']:<16} {link['offer']['material_code']:<24} "
                   f"{link['quantity']:>12,.0f} {link['unit']:<4} {link['distance_km']:>6.1f} km "
                   f"{link['net_benefit_cny']:>14,.0f} CNY {link['co2_avoided_t']:>10,.0f} t CO2"
                   f"{'  latent' if link['latent'] else ''}")

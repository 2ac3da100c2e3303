"""flask match run: the matching engine over the published listings."""
from __future__ import annotations

import atexit
import contextlib
import gc
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator

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
    piece, a link a line. Nothing is printed before the run is stored: the links and alternatives are written
    to a temporary file by a child process while this one stores them, and copied out once the transaction
    has committed (the header, which says what was stored, first).
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
    # A Dask client runs threads of its own: no child process is forked beside them.
    body = _BodyWriter() if fmt == "json" and not distributed else None
    with _cycles_left_alone(), contextlib.ExitStack() as cleanup:
        if body is not None:
            cleanup.callback(body.discard)
        try:
            outcome = run_now(park=park, latent=latent, executor="dask" if distributed else "engine",
                              scheduler=scheduler, partitions=partitions,
                              while_storing=body.start if body is not None else lambda outcome: None)
        except MatchingError as exc:
            fail(str(exc))
        _print(outcome, fmt, distributed, body)


def _print(outcome, fmt: str, distributed: bool, body: _BodyWriter | None) -> None:
    if fmt == "json":
        sys.stdout.flush()
        out = sys.stdout.buffer  # the bytes under the text stream: the document is UTF-8 already
        for chunk in outcome.json_chunks(body=body.written() if body is not None else None):
            out.write(chunk)  # buffered by the stream; the whole document is never one string
        out.flush()
        return
    where = f" (dask, {outcome.run.counts.get('partitions', 1)} partitions)" if distributed else ""
    click.echo(f"Run {outcome.run.id}: {len(outcome.links)} links proposed{where}")
    for link in outcome.link_documents():
        receiver = link.get("want") or link.get("receiver")
        click.echo(f"  {link['offer']['site_id']:<16} -> {receiver['site_id']:<16} {link['offer']['material_code']:<24} "
                   f"{link['quantity']:>12,.0f} {link['unit']:<4} {link['distance_km']:>6.1f} km "
                   f"{link['net_benefit_cny']:>14,.0f} CNY {link['co2_avoided_t']:>10,.0f} t CO2"
                   f"{'  latent' if link['latent'] else ''}")


@contextlib.contextmanager
def _cycles_left_alone():
    """The cyclic garbage collector off while a run is made and printed, and not walking it all again at exit.

    What start-up built (modules, the app, the knowledge base) lives as long as the command, and a run makes
    hundreds of thousands of small values (rows, engine results, documents) with hardly a reference cycle among
    them; the collector would walk all of it again and again as the run allocates (about a tenth of a province
    run's time) to free next to nothing. Reference counting still frees everything as usual. At exit, what is
    left is frozen (``gc.freeze`` registered with ``atexit``) before the interpreter's last collection, which
    would otherwise walk it once more (a few tenths of a second) just before the process hands its memory back.
    """
    atexit.unregister(gc.freeze)  # once, however many runs a process makes (tests)
    atexit.register(gc.freeze)
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _can_fork() -> bool:
    """Whether a child may be forked here: a POSIX system, and no other thread running (a lock another thread
    holds at the fork would stay held for good in the child)."""
    return hasattr(os, "fork") and threading.active_count() == 1


class _BodyWriter:
    """The run's links and alternatives as JSON (:meth:`RunOutcome.json_body`), written to a temporary file by a
    forked child process while this one stores them: two cores at work instead of one, and the database's own
    work (index and foreign-key checks) overlapped with the text.

    The child reads only the outcome it was forked with (values in memory, never the database connection it
    shares), writes the file and leaves with ``os._exit``, running no clean-up of what it shares with this
    process. Where there is no ``fork``, or threads are running (a forked thread-holding process may hang), or
    the child fails, the body is written here afterwards, as before.
    """

    def __init__(self) -> None:
        self.pid: int | None = None
        self.file = None

    def start(self, outcome) -> None:
        if not _can_fork():
            return
        self.file = tempfile.TemporaryFile()
        pid = os.fork()
        if pid == 0:  # the child
            status = 1
            try:
                with open(os.dup(self.file.fileno()), "wb") as out:
                    for chunk in outcome.json_body():
                        out.write(chunk)
                status = 0
            finally:
                os._exit(status)
        self.pid = pid

    def written(self) -> Iterator[bytes] | None:
        """The body the child wrote, once it is done; None when it did not (the caller writes it then)."""
        if self.pid is None:
            return None
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            return None
        self.file.seek(0)
        return iter(lambda: self.file.read(1 << 20), b"")

    def discard(self) -> None:
        """Stop the child if it still runs (the run failed, or was interrupted) and drop the file."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.pid = None
        if self.file is not None:
            self.file.close()
            self.file = None

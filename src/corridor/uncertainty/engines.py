"""Where a sweep's samples are judged: a local process pool or a Dask distributed cluster.

Both run the same task, :func:`~corridor.uncertainty.evaluate.run_samples` on a batch of sample
indices, and both ship the prepared state once per worker, not once per task: the pool through
its initializer, Dask by scattering it to every worker (``broadcast=True``) and passing the
handle to each task. Draws depend only on (seed, index), so the engines agree sample by sample.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

from corridor.errors import CorridorError, UnavailableError
from corridor.i18n import _
from corridor.progress import Progress, silent
from corridor.uncertainty.evaluate import Outcome, PreparedSweep, run_samples


class SweepEngine(StrEnum):
    """Where a sweep's samples run."""

    #: A process pool on this machine.
    LOCAL = "local"
    #: A Dask distributed cluster: the one at ``--address``, or one started for the run.
    DASK = "dask"


#: Engines ``corridor sweep --engine`` accepts.
ENGINES: tuple[str, ...] = tuple(e.value for e in SweepEngine)

#: Samples per task: enough that shipping a task and its answer costs little next to judging it,
#: few enough that progress moves and two workers share the tail of a run.
BATCH = 4

#: How long to wait for a Dask scheduler before calling it unreachable, in seconds.
CONNECT_TIMEOUT_S = 10.0


def run(prepared: PreparedSweep, samples: int, *, engine: str = "local", address: str | None = None,
        workers: int | None = None, progress: Progress | None = None) -> list[Outcome]:
    """Judge samples ``0 .. samples-1`` of ``prepared``; outcomes in sample order.

    ``workers`` is the pool size (local) or the size of the cluster started when no ``address``
    is given (dask); by default one per CPU.
    """
    if engine not in ENGINES:
        raise CorridorError(_("unknown engine {engine!r}; choose one of {engines}").format(
                                engine=engine, engines=", ".join(ENGINES)),
                            field="engine")
    if address is not None and engine != "dask":
        raise CorridorError(_("{option} names a Dask scheduler: use it with {with_option}").format(
                                option="--address", with_option="--engine dask"),
                            field="address")
    batches = [list(range(i, min(i + BATCH, samples))) for i in range(0, samples, BATCH)]
    n = workers or os.cpu_count() or 1
    runner = _local if engine == "local" else _dask
    outcomes: list[Outcome] = []
    report = progress or silent
    report(f"0 of {samples} samples", 0.0)
    for done in runner(prepared, batches, n, address):
        outcomes.extend(done)
        report(f"{len(outcomes)} of {samples} samples", len(outcomes) / max(samples, 1))
    return sorted(outcomes, key=lambda o: o.index)


def _install(prepared: PreparedSweep) -> None:
    """Pool initializer: each worker process receives the prepared state once, here."""
    global _SHIPPED
    _SHIPPED = prepared


_SHIPPED: PreparedSweep | None = None


def _pooled(batch: Sequence[int]) -> list[Outcome]:
    assert _SHIPPED is not None  # set by the initializer before any task runs
    return run_samples(_SHIPPED, batch)


def _local(prepared: PreparedSweep, batches: list[list[int]], workers: int,
           _address: str | None) -> Iterator[list[Outcome]]:
    # Spawned, not forked: the parent may hold threads (a progress display, a thread pool of
    # the router), and forking a threaded process can deadlock the child.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, max(len(batches), 1)),
                             mp_context=context, initializer=_install,
                             initargs=(prepared,)) as pool:
        futures = [pool.submit(_pooled, batch) for batch in batches]
        for future in as_completed(futures):
            yield future.result()


def _dask(prepared: PreparedSweep, batches: list[list[int]], workers: int,
          address: str | None) -> Iterator[list[Outcome]]:
    from distributed import as_completed as dask_completed

    with _client(address, workers) as client:
        shipped = client.scatter(prepared, broadcast=True, hash=False)
        futures = client.map(run_samples, [shipped] * len(batches), batches, pure=False)
        for future in dask_completed(futures):
            yield future.result()


@contextmanager
def _client(address: str | None, workers: int) -> Iterator[Any]:
    """A client of the scheduler at ``address``, or of a cluster started here for the run."""
    from distributed import Client, LocalCluster

    if address is None:
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        raise UnavailableError(_("cannot reach the Dask scheduler at {address}: {error}").format(
                                   address=address, error=exc)) from exc
    with client:
        yield client


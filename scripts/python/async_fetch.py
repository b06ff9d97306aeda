#!/usr/bin/env python3
"""Our Python version of the asyncio fetch example, for the comparison column.

    python3 scripts/python/async_fetch.py [--tasks N] [--delay-ms MS] [--json] [--timeline]
    python3 scripts/python/async_fetch.py http [--base-url URL] [--timeout-ms MS]
    python3 scripts/python/async_fetch.py get [URL]
    python3 scripts/python/async_fetch.py blocking
    python3 scripts/python/async_fetch.py offload [--beat-ms MS]

Default: "fetch" websites A, B, C as coroutines gathered on one event loop,
each awaiting a sleep; about one delay in total.
`http`: the same over real HTTP. The standard library has no asyncio HTTP
client, so a minimal HTTP/1.1 GET is written here on asyncio streams (the
article used aiohttp). The server is a stdlib one this script starts on
127.0.0.1, or --base-url.
`get`: one GET of a small JSON document.
`blocking`: a coroutine that calls time.sleep holds the whole loop, so the
tasks run one after another; awaiting asyncio.sleep lets them overlap.
`offload`: CPU-bound jobs (each about --delay-ms of work) while a heartbeat
task wants to wake every --beat-ms: first on the loop itself (the heartbeat
waits for every job), then through loop.run_in_executor with a thread pool
(the loop gets turns, but the GIL lets one thread compute at a time), then
with a process pool, which side-steps the GIL: each worker process has its
own interpreter, so the jobs can use several cores.
"""

import time

CLOCK_START = time.perf_counter()  # the run's clock, like Clock::start() at the top of main

import asyncio  # noqa: E402 (imports come after the clock on purpose)
import concurrent.futures  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import demo_kit as kit  # noqa: E402

DEMO = "async-fetch"


async def fetch_data(url, delay_s):
    """The article's async fetch_data(url), with the delay as an argument."""
    kit.say(f"Fetching data from {url}...")
    await asyncio.sleep(delay_s)  # this task waits; the loop runs the others
    kit.say(f"Finished fetching data from {url}.")
    return "Data from " + url


async def get_json(url, timeout_s):
    """A minimal HTTP/1.1 GET on asyncio streams; raises RuntimeError on any failure."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise RuntimeError(f"{url}: only http:// URLs are supported here")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query

    async def exchange():
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                         "Connection: close\r\n\r\n".encode())
            await writer.drain()
            return await reader.read()  # Connection: close, so the body ends at EOF
        finally:
            writer.close()

    try:
        raw = await asyncio.wait_for(exchange(), timeout_s)
    except asyncio.TimeoutError:
        raise RuntimeError(f"{url}: no answer within {timeout_s:.1f} s") from None
    except OSError as err:
        raise RuntimeError(f"{url}: {err}") from None
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode(errors="replace")
    fields = status_line.split()
    if len(fields) < 2 or fields[1] != "200":
        raise RuntimeError(f"{url}: {status_line or 'no status line'}")
    try:
        return json.loads(body)
    except ValueError:
        raise RuntimeError(f"{url}: the body is not JSON") from None


async def fetch_http(base_url, name, delay_ms, timeout_s):
    kit.say(f"Fetching data from website {name}...")
    document = await get_json(f"{base_url}/site/{name}?delay_ms={delay_ms}", timeout_s)
    kit.say(f"Finished fetching data from website {name}.")
    return document.get("data")


async def gather_all(clock, args, fetch):
    """Runs fetch(name) for every site at once; returns (spans, failed)."""

    async def timed(i):
        start_ms = clock.ms()
        await fetch(kit.site_name(i))
        return {"task": i, "start_ms": start_ms, "end_ms": clock.ms()}

    # return_exceptions: one failing fetch must not lose the others' results
    outcomes = await asyncio.gather(*(timed(i) for i in range(args.tasks)), return_exceptions=True)
    spans, failed = [], 0
    for i, outcome in enumerate(outcomes):
        if isinstance(outcome, BaseException):
            kit.error(f"website {kit.site_name(i)}: {outcome}")
            failed += 1
        else:
            spans.append(outcome)
    kit.say(kit.fetched_line(args.tasks, failed, clock))
    return spans, failed


def run_simulated(clock, args):
    delay_s = args.delay_ms / 1e3
    spans, failed = asyncio.run(gather_all(clock, args, lambda name: fetch_data(f"website {name}", delay_s)))
    fields = kit.summary(DEMO, "simulated", args, clock, args.delay_ms, spans, failed)
    return kit.report(fields, args)


def run_http(clock, args):
    timeout_s = args.timeout_ms / 1e3
    with kit.serving(args.base_url) as base_url:
        spans, failed = asyncio.run(gather_all(
            clock, args, lambda name: fetch_http(base_url, name, args.delay_ms, timeout_s)))
        fields = kit.summary(DEMO, "http", args, clock, args.delay_ms, spans, failed)
    return kit.report(fields, args)


def get_json_once(url, timeout_s):
    """get_json on an event loop of its own, for the single call of `get`."""
    return asyncio.run(get_json(url, timeout_s))


def run_blocking(clock, args):
    delay_s = args.delay_ms / 1e3

    async def blocks(name):
        time.sleep(delay_s)  # not awaited: the loop can run nothing else meanwhile

    async def cooperates(name):
        await asyncio.sleep(delay_s)

    t0 = clock.ms()
    asyncio.run(gather_all(clock, args, blocks))
    blocking_ms = clock.ms() - t0
    t0 = clock.ms()
    spans, failed = asyncio.run(gather_all(clock, args, cooperates))
    cooperative_ms = clock.ms() - t0
    kit.say(f"time.sleep in a coroutine: {blocking_ms:.0f} ms; asyncio.sleep: {cooperative_ms:.0f} ms")
    fields = kit.summary(DEMO, "blocking", args, clock, args.delay_ms, spans, failed,
                         blocking_ms=round(blocking_ms, 2), cooperative_ms=round(cooperative_ms, 2))
    return kit.report(fields, args)


def cpu_job(size):
    """CPU-bound work that never awaits: the sum of squares below size."""
    return kit.sum_of_squares((0, size))


def sums_per_ms():
    """How many terms of cpu_job one millisecond of this machine computes."""
    size = 100_000
    while kit.timed(cpu_job, size)[1] < 20 and size < 10**9:
        size *= 2
    runs = sorted(kit.timed(cpu_job, size)[1] for _ in range(3))
    return max(1, int(size / max(runs[1], 1e-3)))


async def offload_round(clock, args, size, executor):
    """The jobs, all at once, on the loop (executor None) or in the executor,
    while a heartbeat asks to wake every --beat-ms. Returns (wall ms, worst
    heartbeat delay ms, spans)."""
    loop = asyncio.get_running_loop()
    every = args.beat_ms / 1e3
    lags, running = [], True

    async def heartbeat():
        while running:
            due = loop.time() + every
            await asyncio.sleep(every)
            lags.append(max(0.0, loop.time() - due) * 1e3)

    async def job(i):
        start_ms = clock.ms()
        if executor is None:
            cpu_job(size)  # no await inside: the loop runs nothing else meanwhile
        else:
            await loop.run_in_executor(executor, cpu_job, size)
        return {"task": i, "start_ms": start_ms, "end_ms": clock.ms()}

    beat = asyncio.ensure_future(heartbeat())
    await asyncio.sleep(0)  # the heartbeat takes its first step
    t0 = clock.ms()
    spans = await asyncio.gather(*(job(i) for i in range(args.tasks)))
    wall_ms = clock.ms() - t0
    running = False
    await beat
    return wall_ms, max(lags, default=0.0), spans


def run_offload(clock, args):
    per_ms = sums_per_ms()
    size = per_ms * args.delay_ms
    cores = os.cpu_count() or 1
    kit.say(f"{args.tasks} CPU jobs of about {args.delay_ms} ms each ({size:,} sums of squares); "
            f"a heartbeat task wants to wake every {args.beat_ms} ms.")
    fork = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods()
                                       else None)
    with concurrent.futures.ThreadPoolExecutor(args.tasks) as threads, \
            concurrent.futures.ProcessPoolExecutor(args.tasks, mp_context=fork) as processes:
        list(processes.map(cpu_job, [1] * args.tasks))  # start the workers before timing
        rounds = {}
        for name, executor in [("on the loop, no executor", None),
                               ("run_in_executor(ThreadPoolExecutor)", threads),
                               ("run_in_executor(ProcessPoolExecutor)", processes)]:
            wall_ms, worst_ms, spans = asyncio.run(offload_round(clock, args, size, executor))
            kit.say(f"{name}: jobs done in {wall_ms / 1e3:.2f} s; "
                    f"worst heartbeat delay {worst_ms:.1f} ms")
            rounds[name] = (wall_ms, worst_ms, spans)
    loop_ms, thread_ms, process_ms = (rounds[name][0] for name in rounds)
    kit.say(f"The jobs' time against the time on the loop: thread pool {thread_ms / loop_ms:.2f} x, "
            f"process pool {process_ms / loop_ms:.2f} x ({cores} cores).")
    worst = [rounds[name][1] for name in rounds]
    spans = rounds["run_in_executor(ProcessPoolExecutor)"][2]
    ideal_ms = args.delay_ms * -(-args.tasks // min(args.tasks, cores))
    fields = kit.summary(DEMO, "offload", args, clock, ideal_ms, spans, 0,
                         beat_ms=args.beat_ms, job_size=size, cores=cores,
                         loop_ms=round(loop_ms, 2), thread_pool_ms=round(thread_ms, 2),
                         process_pool_ms=round(process_ms, 2),
                         loop_max_lag_ms=round(worst[0], 2),
                         thread_pool_max_lag_ms=round(worst[1], 2),
                         process_pool_max_lag_ms=round(worst[2], 2))
    return kit.report(fields, args)


def main(argv=None):
    parser, sub = kit.command_parser("async_fetch.py", __doc__)
    kit.add_fetch_commands(sub, "the same over real HTTP")
    kit.subcommand(sub, "blocking", "time.sleep inside a coroutine")
    offload = kit.subcommand(sub, "offload", "CPU-bound jobs on the loop, then run_in_executor "
                             "with a thread pool and with a process pool")
    offload.add_argument("--beat-ms", metavar="MS", type=kit.bounded(1, 10_000), default=100,
                         help="how often the heartbeat wants to wake (default 100)")
    return kit.run(parser, argv, CLOCK_START, {
        None: run_simulated,
        "http": run_http,
        "get": lambda clock, args: kit.run_get(DEMO, clock, args, get_json_once),
        "blocking": run_blocking,
        "offload": run_offload,
    })


if __name__ == "__main__":
    sys.exit(main())

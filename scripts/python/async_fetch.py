#!/usr/bin/env python3
"""Our Python version of the asyncio fetch example, for the comparison column.

    python3 scripts/python/async_fetch.py [--tasks N] [--delay-ms MS] [--json] [--timeline]
    python3 scripts/python/async_fetch.py http [--base-url URL] [--timeout-ms MS]
    python3 scripts/python/async_fetch.py get [URL]
    python3 scripts/python/async_fetch.py blocking

Default: "fetch" websites A, B, C as coroutines gathered on one event loop,
each awaiting a sleep; about one delay in total.
`http`: the same over real HTTP. The standard library has no asyncio HTTP
client, so a minimal HTTP/1.1 GET is written here on asyncio streams (the
article used aiohttp). The server is a stdlib one this script starts on
127.0.0.1, or --base-url.
`get`: one GET of a small JSON document.
`blocking`: a coroutine that calls time.sleep holds the whole loop, so the
tasks run one after another; awaiting asyncio.sleep lets them overlap.
"""

import time

CLOCK_START = time.perf_counter()  # the run's clock, like Clock::start() at the top of main

import asyncio  # noqa: E402 (imports come after the clock on purpose)
import json  # noqa: E402
import sys  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import demo_kit as kit  # noqa: E402

DEMO = "async-fetch"


async def fetch_simulated(name, delay_s):
    kit.say(f"Fetching data from website {name}...")
    await asyncio.sleep(delay_s)  # this task waits; the loop runs the others
    kit.say(f"Finished fetching data from website {name}.")
    return f"Data from website {name}"


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
    kit.say(f"All data fetched in {clock.ms() / 1e3:.2f} seconds.")
    return spans, failed


def run_simulated(clock, args):
    delay_s = args.delay_ms / 1e3
    spans, failed = asyncio.run(gather_all(clock, args, lambda name: fetch_simulated(name, delay_s)))
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


def main(argv=None):
    parser, sub = kit.command_parser("async_fetch.py", __doc__)
    kit.add_fetch_commands(sub, "the same over real HTTP")
    kit.subcommand(sub, "blocking", "time.sleep inside a coroutine")
    return kit.run(parser, argv, CLOCK_START, {
        None: run_simulated,
        "http": run_http,
        "get": lambda clock, args: kit.run_get(DEMO, clock, args, get_json_once),
        "blocking": run_blocking,
    })


if __name__ == "__main__":
    sys.exit(main())

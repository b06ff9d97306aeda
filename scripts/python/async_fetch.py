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


def with_server(url):
    """(url or our own server's base URL, the server to shut down or None)."""
    if url is not None:
        return url, None
    import local_server

    server = local_server.LocalServer()
    return server.base_url, server


def run_http(clock, args):
    base_url, server = with_server(args.base_url)
    timeout_s = args.timeout_ms / 1e3
    try:
        spans, failed = asyncio.run(gather_all(
            clock, args, lambda name: fetch_http(base_url, name, args.delay_ms, timeout_s)))
        fields = kit.summary(DEMO, "http", args, clock, args.delay_ms, spans, failed)
    finally:
        if server:
            server.shutdown()
    return kit.report(fields, args)


def run_get(clock, args):
    base_url, server = with_server(args.url)
    url = base_url if args.url is not None else f"{base_url}/data/1"
    spans, failed = [], 0
    try:
        start_ms = clock.ms()
        document = asyncio.run(get_json(url, args.timeout_ms / 1e3))
        spans.append({"task": 0, "start_ms": start_ms, "end_ms": clock.ms()})
        kit.say(json.dumps(document))
    except RuntimeError as err:
        kit.error(str(err))
        failed = 1
    finally:
        if server:
            server.shutdown()
    args.tasks, args.delay_ms = 1, 0  # as in Rust: one call, no simulated wait
    return kit.report(kit.summary(DEMO, "get", args, clock, 0, spans, failed), args)


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
    parser = kit.add_common(kit.Parser(prog="async_fetch.py", description=__doc__.split("\n\n")[1]))
    sub = parser.add_subparsers(dest="command")
    http = kit.add_common(sub.add_parser("http", help="the same over real HTTP"), top=False)
    http.add_argument("--base-url", metavar="URL", help="a slow-server to use instead of our own")
    get = kit.add_common(sub.add_parser("get", help="one GET of a small JSON document"), top=False)
    get.add_argument("url", nargs="?", metavar="URL", help="default: our own server's /data/1")
    for p in (http, get):
        p.add_argument("--timeout-ms", metavar="MS", type=kit.bounded(1, 600_000), default=30_000)
    kit.add_common(sub.add_parser("blocking", help="time.sleep inside a coroutine"), top=False)
    args = kit.parse(parser, argv)
    clock = kit.Clock(CLOCK_START)
    if args.command == "http":
        return run_http(clock, args)
    if args.command == "get":
        return run_get(clock, args)
    if args.command == "blocking":
        return run_blocking(clock, args)
    return run_simulated(clock, args)


if __name__ == "__main__":
    sys.exit(main())

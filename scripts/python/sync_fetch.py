#!/usr/bin/env python3
"""Our Python version of the sequential fetch example, for the comparison column.

    python3 scripts/python/sync_fetch.py [--tasks N] [--delay-ms MS] [--json] [--timeline]
    python3 scripts/python/sync_fetch.py http [--base-url URL] [--timeout-ms MS]
    python3 scripts/python/sync_fetch.py get [URL]
    python3 scripts/python/sync_fetch.py threads [http [--base-url URL] [--timeout-ms MS]]

Default: "fetch" websites A, B, C one after another, each a sleep; about
tasks x delay in total, since each call blocks until it is done.
`http`: the same over real HTTP with urllib, against a stdlib server this
script starts on 127.0.0.1 (or --base-url, e.g. the Rust slow-server).
`get`: one GET of a small JSON document, the "single call" example.
`threads`: the same blocking fetches, one thread per site (threading.Thread
with time.sleep; `threads http`: a ThreadPoolExecutor of one worker per site,
each calling urllib.request.urlopen), so the waits overlap: about one delay.
"""

import time

CLOCK_START = time.perf_counter()  # the run's clock, like Clock::start() at the top of main

import json  # noqa: E402 (imports come after the clock on purpose)
import sys  # noqa: E402
import threading  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402

import demo_kit as kit  # noqa: E402

DEMO = "sync-fetch"


def fetch_data(url, delay_s):
    """The article's fetch_data(url), with the delay as an argument."""
    kit.say(f"Fetching data from {url}...")
    time.sleep(delay_s)  # the whole program waits here
    kit.say(f"Finished fetching data from {url}.")
    return "Data from " + url


def get_json(url, timeout_s):
    """GET url and decode its JSON body; raises on a network error, a bad status or bad JSON."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            body = response.read()
    except urllib.error.HTTPError as err:
        raise RuntimeError(f"{url}: status {err.code}") from None
    except (urllib.error.URLError, OSError) as err:
        raise RuntimeError(f"{url}: {getattr(err, 'reason', err)}") from None
    try:
        return json.loads(body)
    except ValueError:
        raise RuntimeError(f"{url}: the body is not JSON") from None


def fetch_http(base_url, name, delay_ms, timeout_s):
    kit.say(f"Fetching data from website {name}...")
    document = get_json(f"{base_url}/site/{name}?delay_ms={delay_ms}", timeout_s)
    kit.say(f"Finished fetching data from website {name}.")
    return document.get("data")


def run_sequence(clock, args, variant, fetch):
    """Calls fetch(name) for each site in turn; a failure is counted and the rest still run."""
    spans, failed = [], 0
    for i in range(args.tasks):
        try:
            _, span = clock.span(i, fetch, kit.site_name(i))
            spans.append(span)
        except Exception as err:
            kit.error(f"website {kit.site_name(i)}: {err}")
            failed += 1
    kit.say(kit.fetched_line(args.tasks, failed, clock))
    fields = kit.summary(DEMO, variant, args, clock, args.tasks * args.delay_ms, spans, failed)
    return kit.report(fields, args)


def run_simulated(clock, args):
    delay_s = args.delay_ms / 1e3
    return run_sequence(clock, args, "simulated", lambda name: fetch_data(f"website {name}", delay_s))


def run_http(clock, args):
    timeout_s = args.timeout_ms / 1e3
    with kit.serving(args.base_url) as base_url:
        return run_sequence(clock, args, "http",
                            lambda name: fetch_http(base_url, name, args.delay_ms, timeout_s))


def finish_threads(clock, args, variant, results):
    """Ends a threads run: results holds (span, error or None) per site, in order."""
    spans = [span for span, err in results if err is None]  # as run_sequence: the sites fetched
    failed = 0
    for i, (_, err) in enumerate(results):
        if err is not None:
            kit.error(f"website {kit.site_name(i)}: {err}")
            failed += 1
    kit.say(kit.fetched_line(args.tasks, failed, clock))
    fields = kit.summary(DEMO, variant, args, clock, args.delay_ms, spans, failed)
    return kit.report(fields, args)


def attempt(clock, i, fetch):
    """(span, None) after fetch(site i), or (span, the error) if it raised."""
    start_ms = clock.ms()
    try:
        fetch(kit.site_name(i))
        err = None
    except Exception as caught:  # one site's failure is reported; the others go on
        err = caught
    return {"task": i, "start_ms": start_ms, "end_ms": clock.ms()}, err


def run_threads(clock, args):
    if args.threads_command is None:
        # The article's first multithreading example: a Thread per download, started, joined.
        delay_s = args.delay_ms / 1e3
        results = [None] * args.tasks

        def one(i):
            results[i] = attempt(clock, i, lambda name: fetch_data(f"website {name}", delay_s))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(args.tasks)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return finish_threads(clock, args, "threads", results)
    timeout_s = args.timeout_ms / 1e3
    with kit.serving(args.base_url) as base_url:
        # One worker per site, each blocking in urlopen; map keeps the sites' order.
        with ThreadPoolExecutor(max_workers=args.tasks) as pool:
            fetch = lambda name: fetch_http(base_url, name, args.delay_ms, timeout_s)  # noqa: E731
            results = list(pool.map(lambda i: attempt(clock, i, fetch), range(args.tasks)))
    return finish_threads(clock, args, "threads-http", results)


def main(argv=None):
    parser, sub = kit.command_parser("sync_fetch.py", __doc__)
    kit.add_fetch_commands(sub, "the same over real HTTP (urllib)")
    threads = kit.subcommand(sub, "threads", "the same blocking fetches, one thread per site")
    http = kit.subcommand(threads.add_subparsers(dest="threads_command"), "http",
                          "one thread per site, each a blocking urllib GET")
    http.add_argument("--base-url", metavar="URL", help="a slow-server to use instead of our own")
    http.add_argument("--timeout-ms", metavar="MS", type=kit.bounded(1, 600_000), default=30_000)
    return kit.run(parser, argv, CLOCK_START, {
        None: run_simulated,
        "http": run_http,
        "get": lambda clock, args: kit.run_get(DEMO, clock, args, get_json),
        "threads": run_threads,
    })


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Our Python version of the timing-decorator example, for the comparison column.

    python3 scripts/python/macros_demo.py [--n N] [--json]

A decorator wraps a function so each call prints how long it took; the
wrapped function adds up the integers below n in a plain loop. The Rust port
(`macros-demo`) does the same with an attribute macro that rewrites the
function at compile time instead of wrapping it at run time.
"""

import time

CLOCK_START = time.perf_counter()  # the run's clock, like Clock::start() at the top of main

import functools  # noqa: E402 (imports come after the clock on purpose)
import sys  # noqa: E402

import demo_kit as kit  # noqa: E402

DEMO = "macros-demo"
timings = {}  # what the decorator measured, by function name, for the JSON summary


def timed(function):
    """Wraps `function` so every call reports its duration."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            took_ms = (time.perf_counter() - started) * 1e3
            timings[function.__name__] = took_ms
            kit.say(f"'{function.__name__}' ran in {took_ms / 1e3:.4f} seconds.")

    return wrapper


@timed
def complex_calculation(n):
    """Adds the integers below n, one at a time (slow on purpose)."""
    total = 0
    for i in range(n):
        total += i
    return total


def main(argv=None):
    # Like macros-demo: --n, --json and --timeline only (there is nothing to wait for).
    parser = kit.Parser(prog="macros_demo.py", description=__doc__.split("\n\n")[1])
    parser.add_argument("--json", action="store_true",
                        help="print one JSON summary on stdout; the narrative goes to stderr")
    parser.add_argument("--timeline", action="store_true",
                        help="after the run, draw the call's span on a time axis")
    parser.add_argument("--n", type=kit.bounded(0, 10**10), default=10_000_000, metavar="N",
                        help="add up the integers below N (default 10,000,000)")
    args = kit.parse(parser, argv)
    clock = kit.Clock(CLOCK_START)
    result, span = clock.span(0, complex_calculation, args.n)
    kit.say(f"Calculation result: {result}")
    args.tasks, args.delay_ms = 1, 0
    fields = kit.summary(DEMO, "timed", args, clock, 0, [span], 0, n=args.n, result=result,
                         function_ms=round(timings["complex_calculation"], 2))
    return kit.report(fields, args)


if __name__ == "__main__":
    sys.exit(main())

"""What every Python equivalent shares, mirroring the Rust crate `demo-kit`.

- the common flags (--tasks, --delay-ms, --json, --timeline), accepted before
  or after a subcommand, with bad input refused as one `error: ...` line and
  exit code 2;
- `say`, which prints the narrative on stdout, or on stderr under --json so
  that stdout holds exactly one JSON object;
- `Clock`/`span`, milliseconds since the top of the script;
- `summary`/`report`, the same JSON summary as the Rust demos print;
- `site_name`, the article's "website A", "website B", ..., and
  `fetched_line`, a fetch run's last line;
- `command_parser`/`subcommand`/`run`, the shape every script's `main` shares;
- the parts the CPU variants share (`threads_demo.py cpu`, `process_demo.py cpu`):
  `add_cpu`, `sum_of_squares`, `split`, `cpu_rounds`, `cpu_report`;
- the parts the fetch scripts share (`sync_fetch.py`, `async_fetch.py`):
  `add_fetch_commands`, `serving`, `run_get`.

`local_server.py` holds the stdlib stand-in for the `slow-server` crate.

Standard library only: these scripts must run on any python3 >= 3.8.
"""

import argparse
import contextlib
import json
import math
import os
import resource
import sys
import time

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
MAX_TASKS = 100_000
MAX_DELAY_MS = 60_000

_to_stderr = False


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one `error: ...` line and exit 2 (no usage dump)."""

    def error(self, message):
        sys.stderr.write(f"error: {message}\n")
        sys.exit(EXIT_USAGE)


def bounded(low, high):
    """An argparse type: an integer in low..=high."""

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not in {low}..={high}")
        return value

    return parse


def add_common(parser, top=True):
    """Adds the four common flags. Subcommands get them too (top=False), with
    suppressed defaults so a value given before the subcommand survives."""
    default = (lambda value: value) if top else (lambda value: argparse.SUPPRESS)
    parser.add_argument("--tasks", metavar="N", type=bounded(1, MAX_TASKS), default=default(3),
                        help="how many tasks to run (default 3)")
    parser.add_argument("--delay-ms", metavar="MS", type=bounded(0, MAX_DELAY_MS),
                        default=default(2000), help="how long each task waits (default 2000)")
    parser.add_argument("--json", action="store_true", default=default(False),
                        help="print one JSON summary on stdout; the narrative goes to stderr")
    parser.add_argument("--timeline", action="store_true", default=default(False),
                        help="after the run, draw each task's span on a shared time axis")
    return parser


def parse(parser, argv=None):
    """Parses the flags and points `say` at stderr under --json."""
    global _to_stderr
    args = parser.parse_args(argv)
    _to_stderr = args.json
    return args


def say(message):
    """One line of narrative, written whole so threads never mix within a line.

    A reader that has gone (`... | head -1`) is not worth a traceback: the
    line is dropped, as the Rust demos drop it.
    """
    stream = sys.stderr if _to_stderr else sys.stdout
    with contextlib.suppress(BrokenPipeError):
        stream.write(f"{message}\n")
        stream.flush()


def error(message):
    """The one line a user sees when something fails."""
    sys.stderr.write(f"error: {message}\n")
    sys.stderr.flush()


class Clock:
    """Milliseconds since `start`, a time.perf_counter() value taken at the top of the script."""

    def __init__(self, start):
        self.start = start

    def ms(self):
        return (time.perf_counter() - self.start) * 1e3

    def span(self, task, function, *args):
        """Runs function(*args); returns (its result, the span it occupied)."""
        start_ms = self.ms()
        value = function(*args)
        return value, {"task": task, "start_ms": start_ms, "end_ms": self.ms()}


def max_rss_kb():
    """Peak resident memory in KiB: this process plus its largest waited-for child."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scale = 1024 if sys.platform == "darwin" else 1  # macOS reports bytes
    return (own + children) // scale


def summary(demo, variant, args, clock, ideal_ms, spans, failed, **extra):
    """The JSON summary, with the same fields as demo-kit's `Summary`."""
    spans = sorted(spans, key=lambda s: s["task"])
    fields = {
        "demo": demo,
        "variant": variant,
        "tasks": args.tasks,
        "delay_ms": args.delay_ms,
        "ideal_ms": round(float(ideal_ms), 2),
        "elapsed_ms": round(clock.ms(), 2),
        "max_rss_kb": max_rss_kb(),
        "ok": len(spans),
        "failed": failed,
        "spans": [{"task": s["task"], "start_ms": round(s["start_ms"], 2),
                   "end_ms": round(s["end_ms"], 2)} for s in spans],
    }
    fields.update(extra)
    return fields


def report(fields, args):
    """Ends the run as the flags ask; returns the exit code (1 if a task failed)."""
    if args.timeline:
        say(chart(fields["spans"]))
    if args.json:
        with contextlib.suppress(BrokenPipeError):
            sys.stdout.write(json.dumps(fields) + "\n")
            sys.stdout.flush()
    return EXIT_FAILED if fields["failed"] else EXIT_OK


def chart(spans, width=50):
    """Each span as a bar on one axis that ends at the latest end."""
    axis = max([s["end_ms"] for s in spans] + [1e-9])
    label = len(str(max([s["task"] for s in spans] + [0])))
    lines = []
    for s in spans[:20]:
        start = min(int(s["start_ms"] / axis * width), width - 1)
        end = max(start + 1, min(width, math.ceil(s["end_ms"] / axis * width)))
        bar = " " * start + "█" * (end - start) + " " * (width - end)
        lines.append(f"task {s['task']:>{label}} |{bar}| {s['start_ms']:.0f} → {s['end_ms']:.0f} ms")
    if len(spans) > 20:
        lines.append(f"  … {len(spans) - 20} more tasks …")
    lines.append(" " * (label + 7) + "0 ms" + f"{axis:.0f} ms".rjust(width - 3))
    return "\n".join(lines)


def site_name(i):
    """The article's "website A", "website B", ...; past Z, A1 ... Z1, A2 ...
    (the names the Rust demos use)."""
    letter = chr(ord("A") + i % 26)
    return letter if i < 26 else f"{letter}{i // 26}"


def fetched_line(total, failed, clock):
    """A fetch run's last line, as fetch_client::sites::fetched_line words it:
    the article's when every site answered, a count of the failures otherwise."""
    seconds = f"{clock.ms() / 1e3:.2f}"
    if not failed:
        return f"All data fetched in {seconds} seconds."
    websites = "website" if total == 1 else "websites"
    return f"Fetched {total - failed} of {total} {websites} in {seconds} seconds; {failed} failed."


# ---- The shape of every script's main ----------------------------------------


def command_parser(prog, doc):
    """The script's parser (the common flags; its description is the second
    paragraph of `doc`) and the set its subcommands are added to."""
    parser = add_common(Parser(prog=prog, description=doc.split("\n\n")[1]))
    return parser, parser.add_subparsers(dest="command")


def subcommand(sub, name, help):
    """A subcommand that takes the common flags too, before or after its name."""
    return add_common(sub.add_parser(name, help=help), top=False)


def run(parser, argv, clock_start, commands):
    """Parses argv and runs commands[subcommand name] (None: no subcommand)
    with (clock, args); returns its exit code."""
    args = parse(parser, argv)
    return commands[args.command](Clock(clock_start), args)


# ---- The CPU-bound variants: threads_demo.py cpu, process_demo.py cpu ----------

CPU_SIZE = 10_000_000  # about 0.65 s per pass in CPython 3.11 here; Rust's own size is far larger
MASK = (1 << 64) - 1  # Rust sums with wrapping u64 arithmetic; the same result modulo 2**64
ROUNDS, MAX_ROUNDS = 3, 100  # --rounds, as in the Rust `cpu` variants


def add_cpu(sub, help, max_workers):
    """The `cpu` subcommand with --size, --workers and --rounds, as in the Rust demos."""
    cpu = subcommand(sub, "cpu", help)
    cpu.add_argument("--size", type=bounded(1, 10**12), default=CPU_SIZE, metavar="N")
    cpu.add_argument("--workers", type=bounded(1, max_workers), default=os.cpu_count() or 1,
                     metavar="N")
    cpu.add_argument("--rounds", type=bounded(1, MAX_ROUNDS), default=ROUNDS, metavar="N",
                     help=f"time both ways N times, keep the best (default {ROUNDS})")
    return cpu


def sum_of_squares(bounds):
    """The sum of i*i for i in start..stop, wrapped to 64 bits like Rust's u64."""
    start, stop = bounds
    return sum(i * i for i in range(start, stop)) & MASK


def split(size, workers):
    """0..size cut into at most `workers` contiguous (start, stop) parts."""
    step = -(-size // workers)
    return [(lo, min(lo + step, size)) for lo in range(0, size, step)]


def best_of(rounds):
    """How the CPU narrative names the rounds: "best of 3 rounds"."""
    return f"best of {rounds} round{'' if rounds == 1 else 's'}"


def timed(function, *args):
    """(function(*args), how long it took in ms)."""
    t0 = time.perf_counter()
    value = function(*args)
    return value, (time.perf_counter() - t0) * 1e3


def cpu_rounds(args, one, kind, parallel):
    """Runs --rounds rounds, each the whole sum in this thread, then parallel()
    (which returns (the wrapped total, the workers' spans)), and keeps the best
    time of each way, as the Rust `cpu` variants do. The spans are those of the
    fastest parallel round. A round whose total differs from the sequential sum
    ends the run, and is the one kept."""
    best = None
    for r in range(1, args.rounds + 1):
        expected, sequential_ms = timed(sum_of_squares, (0, args.size))
        (total, spans), parallel_ms = timed(parallel)
        say(f"round {r}: {one} {sequential_ms:.1f} ms, {args.workers} {kind} {parallel_ms:.1f} ms")
        sequential_ms = min(sequential_ms, best["sequential_ms"]) if best else sequential_ms
        if best is None or parallel_ms < best["parallel_ms"] or total != expected:
            best = {"expected": expected, "total": total, "spans": spans,
                    "parallel_ms": parallel_ms}
        best.update(sequential_ms=sequential_ms, rounds=r)
        if total != expected:
            break  # the times of a failed round mean nothing; stop here
    return best


def cpu_report(demo, clock, args, kind, one, best, note=""):
    """Ends a CPU variant: checks the parallel total against the sequential one,
    prints the best times and the speedup, and reports the summary with the
    fields the Rust `cpu` variants add (`rounds`, `{kind}_ms`, `{kind}_speedup`,
    kind being threads or processes)."""
    workers, expected, total = args.workers, best["expected"], best["total"]
    sequential_ms, parallel_ms = best["sequential_ms"], best["parallel_ms"]
    failed = 0 if total == expected else 1
    if failed:
        error(f"the {kind} summed to {total}, not {expected} (round {best['rounds']})")
    speedup = sequential_ms / parallel_ms if parallel_ms > 0 else 0.0
    say(f"The {best_of(best['rounds'])}:")
    say(f"{one + ':':<12} {sequential_ms:8.1f} ms")
    say(f"{workers} {kind + ':':<10} {parallel_ms:8.1f} ms  speedup {speedup:.2f}x{note}")
    args.tasks, args.delay_ms = workers, 0  # as in Rust: the tasks are the workers; nothing waits
    fields = summary(demo, "cpu", args, clock, sequential_ms / workers, best["spans"], failed,
                     size=args.size, workers=workers, rounds=best["rounds"], result=expected,
                     sequential_ms=round(sequential_ms, 2),
                     **{f"{kind}_ms": round(parallel_ms, 2), f"{kind}_speedup": round(speedup, 3)})
    return report(fields, args)


# ---- The fetch scripts: sync_fetch.py, async_fetch.py --------------------------


def add_fetch_commands(sub, http_help):
    """The `http` and `get` subcommands, with the flags of the Rust fetch demos."""
    http = subcommand(sub, "http", http_help)
    http.add_argument("--base-url", metavar="URL", help="a slow-server to use instead of our own")
    get = subcommand(sub, "get", "one GET of a small JSON document")
    get.add_argument("url", nargs="?", metavar="URL", help="default: our own server's /data/1")
    for p in (http, get):
        p.add_argument("--timeout-ms", metavar="MS", type=bounded(1, 600_000), default=30_000)


@contextlib.contextmanager
def serving(base_url):
    """Yields base_url, or when it is None the base URL of our own local
    server, started here and shut down on leaving."""
    if base_url is not None:
        yield base_url
        return
    import local_server  # only the HTTP variants pay for importing http.server

    server = local_server.LocalServer()
    try:
        yield server.base_url
    finally:
        server.shutdown()


def run_get(demo, clock, args, get_json):
    """The single-call example: get_json(url, timeout_s) once (args.url, or our
    own server's /data/1), the document printed; a failure is one error line."""
    spans, failed = [], 0
    with serving(args.url) as base_url:
        url = base_url if args.url is not None else f"{base_url}/data/1"
        try:
            document, span = clock.span(0, get_json, url, args.timeout_ms / 1e3)
            say(json.dumps(document))
            spans.append(span)
        except RuntimeError as err:
            error(str(err))
            failed = 1
    args.tasks, args.delay_ms = 1, 0  # as in Rust: one call, no simulated wait
    return report(summary(demo, "get", args, clock, 0, spans, failed), args)

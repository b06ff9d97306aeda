"""What every Python equivalent shares, mirroring the Rust crate `demo-kit`.

- the common flags (--tasks, --delay-ms, --json, --timeline), accepted before
  or after a subcommand, with bad input refused as one `error: ...` line and
  exit code 2;
- `say`, which prints the narrative on stdout, or on stderr under --json so
  that stdout holds exactly one JSON object;
- `Clock`/`span`, milliseconds since the top of the script;
- `summary`/`report`, the same JSON summary as the Rust demos print;
- `site_name`, the article's "website A", "website B", ...

`local_server.py` holds the stdlib stand-in for the `slow-server` crate.

Standard library only: these scripts must run on any python3 >= 3.8.
"""

import argparse
import json
import math
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
    """One line of narrative, written whole so threads never mix within a line."""
    stream = sys.stderr if _to_stderr else sys.stdout
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
    """The article's "website A", "website B", ...; numbers past Z."""
    return chr(ord("A") + i) if i < 26 else str(i)

"""What a bench part checks, and the sizes it runs at (`make bench SIZES=10000,100000,300000`)."""
import os

DEFAULT_SIZES = "10000,100000,300000"


def sizes():
    """The case counts to run at, smallest first: SIZES, comma-separated."""
    return sorted({int(size.replace("_", "")) for size in os.environ.get("SIZES", DEFAULT_SIZES).split(",") if size})


def quick():
    """`make bench-quick`: shorter samples, for a developer's loop; its figures are rougher."""
    return os.environ.get("BENCH_QUICK") == "1"


class Targets:
    """Lines printed [ok], [MISSED] or [skipped] (not measurable at these sizes); missed ones fail the run."""

    def __init__(self):
        self.lines = []

    def check(self, label, met):
        self.lines.append(("ok" if met else "MISSED", label))

    def skip(self, label):
        self.lines.append(("skipped", label))

    def report(self):
        print("\n" + "\n".join(f"[{mark}] {label}" for mark, label in self.lines))
        return 1 if any(mark == "MISSED" for mark, _ in self.lines) else 0

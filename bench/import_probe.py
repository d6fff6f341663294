"""Time one cold ``import MODULE`` in this fresh interpreter and report RSS (stdlib only).

Usage: ``python bench/import_probe.py MODULE`` → one JSON line
``{"module", "import_s", "rss_before", "rss_after"}`` (bytes). Nothing but ``sys``/``time``
(built in) is imported before the timed import, so the figure is the module's own cost
including every dependency it pulls in.
"""

import sys
import time


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def main() -> None:
    name = sys.argv[1]
    before = _rss()
    t0 = time.perf_counter()
    __import__(name)
    dt = time.perf_counter() - t0
    after = _rss()
    import json  # after the measurement

    print(json.dumps({"module": name, "import_s": dt, "rss_before": before, "rss_after": after}))


if __name__ == "__main__":
    main()

"""Time one cold ``import MODULE`` in this fresh interpreter and report RSS (stdlib only).

Usage: ``python bench/import_probe.py MODULE [CODE]`` → one JSON line
``{"module", "import_s", "rss_before", "rss_after"}`` (bytes). Nothing but ``sys``/``time``
(built in) is imported before the timed import, so the figure is the module's own cost
including every dependency it pulls in. With ``CODE`` (run after the import, with the module
bound to ``m``) it also reports ``then_s`` and ``rss_then``: e.g. constructing a client, which
is when a lazily importing package pays for what it deferred.
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
    out = {"module": name, "import_s": dt, "rss_before": before, "rss_after": after}
    if len(sys.argv) > 2:
        t0 = time.perf_counter()
        exec(sys.argv[2], {"m": sys.modules[name]})
        out["then_s"] = time.perf_counter() - t0
        out["rss_then"] = _rss()
    import json  # after the measurement

    print(json.dumps(out))


if __name__ == "__main__":
    main()

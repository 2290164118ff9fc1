"""Times a cheap authenticated GET through the gateway, again and again, until told to stop (a line on
its standard input); then prints each GET's send time and latency as JSON.

`python -m bench.watch URL SESSION_COOKIE PAUSE_SECONDS`: a process of its own, so that the benchmark's
own event loop, busy with the burst of logins, does not delay the GETs it times.
"""

from __future__ import annotations

import json
import sys
import threading
import time

import httpx


def main() -> None:
    url, cookie, pause = sys.argv[1], sys.argv[2], float(sys.argv[3])
    stop = threading.Event()

    def wait_for_stop() -> None:
        sys.stdin.readline()
        stop.set()

    threading.Thread(target=wait_for_stop, daemon=True).start()
    gets: list[tuple[float, float]] = []
    failed = 0
    with httpx.Client(cookies={"portal_session": cookie}, timeout=60) as client:
        client.get(url).raise_for_status()
        print("ready", flush=True)
        while not stop.is_set():
            sent, started = time.time(), time.perf_counter()
            answer = client.get(url)
            gets.append((sent, time.perf_counter() - started))
            failed += answer.status_code != 200
            stop.wait(pause)
    print(json.dumps({"gets": gets, "failed": failed}))


if __name__ == "__main__":
    main()

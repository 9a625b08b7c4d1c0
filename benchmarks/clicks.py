"""Referral clicks under a burst: `make clicks` (ARGS="--clicks 200 --concurrency 50 --workers 4").

Starts the demo server the way `make run` does, with workers, on its own port on loopback, then sends
``--clicks`` anonymous visits of the demo referral link /r/rhone-solutions, ``--concurrency`` at a time, each
on a fresh connection without cookies, as many visitors clicking one shared link at once. Reports clicks/s,
p50/p95 and errors (anything but a 302 is one), then checks in the database that the link counted exactly
one click per redirect. Exits non-zero when a check fails.
"""
import argparse
import http.client
import os
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))

import bootstrap  # noqa: E402
from soak import serve  # noqa: E402

CODE = "rhone-solutions"
COUNT = """SELECT l.click_count_folded + (SELECT COUNT(*) FROM partner_referral_click c WHERE c.link_id = l.id)
             FROM partner_referral_link l WHERE l.code = %(code)s"""


def burst(host, port, clicks, concurrency):
    """(statuses {status: n}, latencies of the redirects, wall seconds)"""
    statuses, latencies, lock = {}, [], threading.Lock()
    remaining = [clicks]

    def visitor():
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            conn = http.client.HTTPConnection(host, port, timeout=60)
            start = time.perf_counter()
            try:
                conn.request("GET", "/r/%s" % CODE)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = "error"
            elapsed = time.perf_counter() - start
            conn.close()
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 302:
                    latencies.append(elapsed)

    start = time.perf_counter()
    threads = [threading.Thread(target=visitor) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, latencies, time.perf_counter() - start


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    rt = bootstrap.Runtime()
    rt.write_conf()
    db = rt.demo_db
    rt.ensure_demo_db()
    before = int(rt.psql(db, COUNT, {"code": CODE})[0][0])
    with serve(rt, db, args.workers) as base:
        port = int(base.rsplit(":", 1)[1])
        statuses, latencies, wall = burst("127.0.0.1", port, args.clicks, args.concurrency)
    counted = int(rt.psql(db, COUNT, {"code": CODE})[0][0]) - before
    redirects = statuses.get(302, 0)
    errors = args.clicks - redirects
    times = sorted(t * 1000 for t in latencies) or [0.0]
    problems = []
    if errors:
        problems.append("%d clicks did not get their redirect: %s" % (errors, statuses))
    if counted != redirects:
        problems.append("%d clicks counted for %d redirects" % (counted, redirects))
    print("\n".join([
        "## Referral clicks: %d visitors on one link, %d at a time (%d workers)" % (
            args.clicks, args.concurrency, args.workers),
        "",
        "| clicks | redirects (302) | errors | clicks/s | p50 ms | p95 ms | counted |",
        "|---|---|---|---|---|---|---|",
        "| %d | %d | %d | %.1f | %.0f | %.0f | %d |" % (
            args.clicks, redirects, errors, redirects / wall, statistics.median(times),
            times[int(0.95 * (len(times) - 1))], counted),
        "",
        "Result: %s" % ("; ".join(problems) if problems else "every click redirected, every click counted once."),
        "",
    ]))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

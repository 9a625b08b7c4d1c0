"""HTTP load client for the benchmarks: a separate process driving the server over loopback.

    python load.py --base http://127.0.0.1:8090 --path /partners --requests 200 --concurrency 4 \
        [--login user --password pw]

Prints one JSON object: latencies (seconds) of the successful requests, status counts, wall time.
Only loopback addresses are accepted: this never sends traffic anywhere else.
"""
import argparse
import http.client
import http.cookiejar
import json
import re
import sys
import threading
import time
import urllib.parse
import urllib.request


def opener_for(base, login, password):
    """An opener with a session cookie, logged in through /web/login when a login is given."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    if login:
        page = opener.open(base + "/web/login", timeout=60).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"login": login, "password": password, "csrf_token": token}).encode()
        opener.open(base + "/web/login", data=data, timeout=60).read()
        if not any(cookie.name == "session_id" for cookie in jar):
            raise SystemExit("login failed for %s" % login)
    return jar


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--login")
    parser.add_argument("--password")
    args = parser.parse_args(argv)
    url = urllib.parse.urlsplit(args.base)
    if url.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("load.py only drives servers on this machine's loopback")
    jar = opener_for(args.base, args.login, args.password)
    cookie = "; ".join("%s=%s" % (c.name, c.value) for c in jar)

    def fetch(conn):
        start = time.perf_counter()
        conn.request("GET", args.path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - start

    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    for _ in range(args.warmup):
        fetch(conn)
    conn.close()

    latencies, statuses, lock = [], {}, threading.Lock()
    remaining = [args.requests]

    def worker():
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        while True:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            try:
                status, elapsed = fetch(conn)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
                status, elapsed = "error", None
            with lock:
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if status == 200:
                    latencies.append(elapsed)
        conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    json.dump({"latencies": latencies, "statuses": statuses, "wall": time.perf_counter() - start}, sys.stdout)


if __name__ == "__main__":
    main()

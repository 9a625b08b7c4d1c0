"""Odoo servers for the benchmarks (bench, soak, clicks, cluster): started on a free loopback port, waited for
until their login page answers, stopped (terminated, killed if they do not stop)."""
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))

import bootstrap  # noqa: E402


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def launch(rt, db, options=(), env=None, log=subprocess.DEVNULL):
    """An Odoo server on ``db`` alone (``--db-filter``), on a free loopback port, with cron threads off unless
    ``options`` say otherwise (the last value of an option wins); returns (process, base URL) at once."""
    port = free_port()
    cmd = [rt.python, "-m", "odoo", "-c", rt.conf, "-d", db, "--db-filter", "^%s$" % db,
           "--http-interface", "127.0.0.1", "--http-port", str(port), "--max-cron-threads", "0",
           "--log-level=warn", bootstrap.QUIET_WARNINGS, *options]
    process = subprocess.Popen(cmd, env=env or rt.odoo_env(), stdout=subprocess.DEVNULL, stderr=log)
    return process, "http://127.0.0.1:%d" % port


def start(rt, db, options=(), env=None, log=subprocess.DEVNULL):
    """``launch``, then wait until the server answers (stopped if it never does)."""
    process, base = launch(rt, db, options, env=env, log=log)
    try:
        wait_until_up(base)
    except bootstrap.BootstrapError:
        stop([process])
        raise
    return process, base


def wait_until_up(base, seconds=120):
    for _ in range(int(seconds * 2)):
        try:
            urllib.request.urlopen(base + "/web/login", timeout=5).read()
            return
        except OSError:
            time.sleep(0.5)
    raise bootstrap.BootstrapError("the Odoo server on %s did not answer" % base)


def stop(processes):
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def serve(rt, db, options=(), env=None, log_path=os.devnull):
    """``start`` as a context: yields the base URL, stops the server on the way out."""
    with open(log_path, "w") as log:  # the server keeps its own handle on the file
        process, base = start(rt, db, options, env=env, log=log)
    try:
        yield base
    finally:
        stop([process])

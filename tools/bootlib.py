"""Helpers shared by bootstrap.py and debian_odoo.py (standard library only)."""
import subprocess


class BootstrapError(Exception):
    """A problem of the environment, reported as one line without a traceback."""


def read_text(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


def write_text(path, text):
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def say(msg):
    print("==> " + msg, flush=True)


def human(size):
    size = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return ("%.0f %s" if unit in ("B", "KB") else "%.1f %s") % (size, unit)
        size /= 1024
    return str(size)


def run(cmd, check=True, quiet=False, **kw):
    """Run a command; a missing program or a failure becomes a BootstrapError."""
    if quiet:
        kw.setdefault("stdout", subprocess.DEVNULL)
    try:
        proc = subprocess.run(cmd, **kw)
    except FileNotFoundError:
        raise BootstrapError("command not found: %s" % cmd[0]) from None
    if check and proc.returncode != 0:
        raise BootstrapError("command failed (exit %d): %s" % (proc.returncode, " ".join(cmd)))
    return proc


def output(cmd, **kw):
    proc = run(cmd, check=False, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    return proc.returncode, proc.stdout, proc.stderr

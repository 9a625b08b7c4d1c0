"""The bootstrap's error paths, run as plain pytest tests: no Odoo, no database."""
import os
import socket
import stat
import subprocess
import sys

import pytest

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEV = os.path.join(TOOLS, "dev.py")


def dev(*args, env=None, python=sys.executable):
    full_env = dict(os.environ)
    for key in ("ODOO_SRC", "PGHOST", "PGPORT", "PGUSER", "PG_BINDIR", "PORT"):
        full_env.pop(key, None)
    full_env.update(env or {})
    return subprocess.run([python, DEV] + list(args), env=full_env, capture_output=True, text=True, timeout=120)


def assert_one_line_error(proc, *fragments):
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_missing_odoo_src_path_is_one_clear_line(tmp_path):
    proc = dev("test", env={"ODOO_SRC": str(tmp_path / "nowhere"), "RUNTIME_DIR": str(tmp_path / "rt")})
    assert_one_line_error(proc, "ODOO_SRC=", "does not exist")
    assert not (tmp_path / "rt" / "venv").exists()  # nothing half-made


def test_odoo_src_that_is_not_odoo_is_refused(tmp_path):
    proc = dev("run", env={"ODOO_SRC": str(tmp_path), "RUNTIME_DIR": str(tmp_path / "rt"), "PORT": "0"})
    assert_one_line_error(proc, "not an Odoo source tree")


def test_odoo_src_of_another_version_is_refused(tmp_path):
    (tmp_path / "odoo").mkdir()
    (tmp_path / "odoo" / "release.py").write_text("version_info = (18, 0, 0, 'final', 0, '')\n")
    proc = dev("test", env={"ODOO_SRC": str(tmp_path), "RUNTIME_DIR": str(tmp_path / "rt")})
    assert_one_line_error(proc, "Odoo 18.0, not 19.0")


def test_no_apt_and_no_odoo_src(tmp_path):
    # A PATH with python only: no apt-get, no dpkg-deb.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    os.symlink(sys.executable, bindir / "python3")
    proc = dev("test", env={"PATH": str(bindir), "RUNTIME_DIR": str(tmp_path / "rt")})
    assert_one_line_error(proc, "no apt-get", "ODOO_SRC")


def test_archive_without_odoo_19_names_what_it_has(tmp_path):
    # Fake apt tools: the archive answers, but only with a newer odoo package.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    scripts = {
        "apt-get": "#!/bin/sh\nexit 0\n",
        "dpkg-deb": "#!/bin/sh\nexit 0\n",
        "apt-cache": (
            "#!/bin/sh\n"
            'for a in "$@"; do last="$a"; done\n'
            'case "$*" in\n'
            "  *pkgnames*) echo odoo-20; echo odoo-20-dev-tools ;;\n"
            '  *" show "*odoo-20*) printf "Package: odoo-20\\nVersion: 20.0.0+dfsg-1\\n" ;;\n'
            "  *) exit 100 ;;\n"
            "esac\n"
        ),
    }
    for name, text in scripts.items():
        path = bindir / name
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    env = {"PATH": "%s:%s" % (bindir, os.environ["PATH"]), "RUNTIME_DIR": str(tmp_path / "rt")}
    proc = dev("test", env=env)
    assert_one_line_error(proc, "no longer has odoo-19", "odoo-20 20.0.0+dfsg-1")


def test_port_already_taken(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = dev("run", env={"PORT": str(port), "RUNTIME_DIR": str(tmp_path / "rt")})
    assert_one_line_error(proc, "port %d is already in use" % port, "PORT=")


def test_postgres_binaries_missing_names_the_debian_package(tmp_path):
    sys.path.insert(0, TOOLS)
    import bootstrap

    runtime = bootstrap.Runtime({"PG_BINDIR": str(tmp_path), "PATH": os.environ["PATH"],
                                 "RUNTIME_DIR": str(tmp_path / "rt")})
    with pytest.raises(bootstrap.BootstrapError, match="install Debian's package postgresql-15"):
        runtime.pg_bindir()


@pytest.mark.parametrize("version, message", [((3, 9), "too old"), ((3, 14), "too new")])
def test_python_version_bounds(version, message):
    sys.path.insert(0, TOOLS)
    import bootstrap

    with pytest.raises(bootstrap.BootstrapError, match=message):
        bootstrap.Runtime.check_python(version)
    bootstrap.Runtime.check_python((3, 11))  # the machine's version passes


def test_old_interpreter_stops_before_any_work(tmp_path):
    # dev.py itself refuses an old interpreter; simulate one by faking sys.version_info.
    code = (
        "import sys, runpy; sys.version_info = (3, 8, 0, 'final', 0); sys.argv = ['dev.py', 'run'];"
        "runpy.run_path(%r, run_name='__main__')" % DEV
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "error: Python 3.8 is too old: Odoo 19 needs Python 3.10 to 3.13 (set PYTHON=python3.11)"
    )

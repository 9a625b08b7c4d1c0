"""Reproducible Odoo 19 runtime for partner_program (standard library only).

Everything it makes lives in the git-ignored runtime folder (``.runtime/`` or ``$RUNTIME_DIR``):

    root/     Debian's odoo-19 package and the packages its symlinks point to, extracted
    apt/      private apt state used to download them (the machine's apt is never touched)
    venv/     Python virtualenv with Odoo's pins; a .pth file makes ``odoo`` importable
    pylib/    the folder that .pth file names: a symlink ``odoo`` to the Odoo sources in use
    pg/       the project's own PostgreSQL cluster (data/, log, socket)
    data/     Odoo's data dir (filestores, sessions)
    odoo.conf generated at every call

Downloading Debian's package into root/ is debian_odoo.py's job; bootlib.py holds the shared helpers.
Every failure a user can cause ends in one ``error: ...`` line and exit status 1.
"""
import ast
import glob
import hashlib
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import debian_odoo
import migrate_resellers
import odoo_suites
import simulate_routing
from bootlib import BootstrapError, output, read_text, run, say
from debian_odoo import DEB_PYLIB

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(REPO, "tools")
ADDON = "partner_program"
DEMO_DB = "partner_program_demo"
TEST_DB = "partner_program_test"
SOURCE_HASH_KEY = "partner_program.source_hash"  # ir.config_parameter of a kept database
ODOO_SERIES = (19, 0)
# Werkzeug 2.3 deprecation noise from Odoo's own code, logged with stacks at every request.
QUIET_WARNINGS = "--log-handler=py.warnings:ERROR"
PG_VERSION = "15"
PG_PORT = "5432"  # only names the socket file: the embedded cluster listens on no TCP port
PG_SUPERUSER = "odoo"  # Odoo refuses to connect as "postgres"


class Runtime:
    def __init__(self, env=None):
        self.env = dict(os.environ if env is None else env)
        self.dir = os.path.abspath(self.env.get("RUNTIME_DIR") or os.path.join(REPO, ".runtime"))
        self.root = os.path.join(self.dir, "root")
        self.venv = os.path.join(self.dir, "venv")
        self.pylib = os.path.join(self.dir, "pylib")
        self.pgdir = os.path.join(self.dir, "pg")
        self.pgdata = os.path.join(self.pgdir, "data")
        # Several checkouts may share one runtime (RUNTIME_DIR): each gets its own config and databases.
        self.conf = os.path.join(self.dir, "odoo-%s.conf" % hashlib.sha1(REPO.encode()).hexdigest()[:8])
        self.demo_db = self.env.get("DEMO_DB") or DEMO_DB
        self.test_db = self.env.get("TEST_DB") or TEST_DB
        self.uninstall_db = self.test_db + "_uninstall"
        self.python = os.path.join(self.venv, "bin", "python")
        self.external_pg = bool(self.env.get("PGHOST"))
        self.is_root = os.geteuid() == 0

    # ------------------------------------------------------------------ checks
    @staticmethod
    def check_python(version=None):
        version = tuple(version or sys.version_info[:2])
        if version < (3, 10):
            raise BootstrapError(
                "Python %d.%d is too old: Odoo 19 needs Python 3.10 to 3.13 (set PYTHON=python3.11)" % version
            )
        if version > (3, 13):
            raise BootstrapError(
                "Python %d.%d is too new for Odoo 19 (3.10 to 3.13): set PYTHON=python3.11" % version
            )

    @staticmethod
    def check_port(port, host="127.0.0.1"):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, int(port)))
            except OSError:
                raise BootstrapError(
                    "port %s is already in use: stop what listens there or choose another, e.g. PORT=%d make run"
                    % (port, int(port) + 1)
                ) from None

    # ------------------------------------------------------------------ Odoo sources
    def odoo_dir(self):
        """Folder of the ``odoo`` Python package in use (Debian extraction or ODOO_SRC)."""
        src = self.env.get("ODOO_SRC")
        if src:
            src = os.path.abspath(src)
            if not os.path.isdir(src):
                raise BootstrapError("ODOO_SRC=%s does not exist: point it at an Odoo 19 source tree" % src)
            pkg = os.path.join(src, "odoo")
            if not os.path.isfile(os.path.join(pkg, "release.py")):
                raise BootstrapError(
                    "ODOO_SRC=%s is not an Odoo source tree (no odoo/release.py in it)" % src
                )
            return pkg
        return os.path.join(self.root, DEB_PYLIB, "odoo")

    def addons_paths(self):
        odoo_dir = self.odoo_dir()
        paths = [os.path.join(odoo_dir, "addons")]
        src_addons = os.path.join(os.path.dirname(odoo_dir), "addons")
        if self.env.get("ODOO_SRC") and os.path.isdir(src_addons):
            paths.append(src_addons)  # a git checkout keeps most add-ons beside odoo/
        paths.append(REPO)
        return paths

    @staticmethod
    def read_series(odoo_dir):
        text = read_text(os.path.join(odoo_dir, "release.py"))
        match = re.search(r"^version_info\s*=\s*\((\d+),\s*(\d+)", text, re.M)
        return (int(match.group(1)), int(match.group(2))) if match else None

    def ensure_odoo(self):
        odoo_dir = self.odoo_dir()
        if self.env.get("ODOO_SRC"):
            series = self.read_series(odoo_dir)
            if series != ODOO_SERIES:
                found = ".".join(map(str, series)) if series else "of unknown version"
                raise BootstrapError("ODOO_SRC holds Odoo %s, not 19.0" % found)
            return odoo_dir
        if os.path.isfile(os.path.join(self.root, ".complete")):
            return odoo_dir
        debian_odoo.fetch_debian_odoo(self.dir, self.root, self.is_root)
        return odoo_dir

    # ------------------------------------------------------------------ venv
    def ensure_venv(self, odoo_dir):
        reqs = [os.path.join(TOOLS, "requirements-odoo.txt"), os.path.join(TOOLS, "requirements-dev.txt")]
        digest = hashlib.sha256("".join(read_text(r) for r in reqs).encode()).hexdigest()
        stamp = os.path.join(self.venv, ".requirements.sha256")
        if not (os.path.isfile(stamp) and read_text(stamp) == digest and os.path.exists(self.python)):
            if not os.path.exists(self.python):
                say("creating the virtualenv %s (Python %d.%d)" % (self.venv, *sys.version_info[:2]))
                run([sys.executable, "-m", "venv", self.venv])
            say("pip: installing Odoo's Python pins and the test tools (about a minute)")
            code, out, err = output([self.python, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
                                    + sum((["-r", r] for r in reqs), []))
            if code != 0:
                lines = [ln for ln in (err or out).splitlines() if ln.strip() and "is ignored" not in ln]
                raise BootstrapError("pip install failed: %s" % (lines[-1] if lines else "see pip's output"))
            with open(stamp, "w") as fh:
                fh.write(digest)
        # Make ``import odoo`` resolve to the sources in use, without exposing anything else.
        os.makedirs(self.pylib, exist_ok=True)
        link = os.path.join(self.pylib, "odoo")
        if os.path.islink(link) and os.readlink(link) != odoo_dir:
            os.unlink(link)
        if not os.path.islink(link):
            os.symlink(odoo_dir, link)
        site = glob.glob(os.path.join(self.venv, "lib", "python3*", "site-packages"))[0]
        with open(os.path.join(site, "odoo_runtime.pth"), "w") as fh:
            fh.write(self.pylib + "\n")

    # ------------------------------------------------------------------ PostgreSQL
    def pg_bindir(self):
        bindir = self.env.get("PG_BINDIR")
        candidates = [bindir] if bindir else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
        candidates = [c for c in candidates if os.path.isfile(os.path.join(c, "pg_ctl"))]
        if candidates:
            return candidates[0]
        if not bindir and self.is_root and shutil.which("apt-get"):
            say("installing Debian's postgresql-%s (PostgreSQL server binaries are missing)" % PG_VERSION)
            run(["apt-get", "install", "-y", "-q", "postgresql-%s" % PG_VERSION], quiet=True,
                env=dict(self.env, DEBIAN_FRONTEND="noninteractive"))
            return self.pg_bindir()
        raise BootstrapError(
            "PostgreSQL server binaries (initdb, pg_ctl) not found%s: install Debian's package postgresql-%s, "
            "or use an existing server with PGHOST/PGPORT/PGUSER" % (" in " + bindir if bindir else "", PG_VERSION)
        )

    def as_pg_owner(self, cmd):
        # PostgreSQL refuses to run as root: run its binaries as the postgres user then.
        if self.is_root:
            return ["runuser", "-u", "postgres", "--"] + cmd
        return cmd

    def pg_env(self):
        if self.external_pg:
            env = {k: self.env[k] for k in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD") if self.env.get(k)}
            env.setdefault("PGUSER", pwd.getpwuid(os.getuid()).pw_name)
            return env
        return {"PGHOST": self.pgdir, "PGPORT": PG_PORT, "PGUSER": PG_SUPERUSER}

    def ensure_postgres(self):
        if self.external_pg:
            self.psql("postgres", "SELECT 1")
            return
        bindir = self.pg_bindir()
        os.makedirs(self.pgdir, exist_ok=True)
        if self.is_root:
            pw = pwd.getpwnam("postgres")
            os.chown(self.pgdir, pw.pw_uid, pw.pw_gid)
        if not os.path.isfile(os.path.join(self.pgdata, "PG_VERSION")):
            say("creating the PostgreSQL cluster in %s" % self.pgdata)
            run(self.as_pg_owner([os.path.join(bindir, "initdb"), "-D", self.pgdata, "-U", PG_SUPERUSER,
                                  "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]), quiet=True)
        code, _out, _err = output(self.as_pg_owner([os.path.join(bindir, "pg_ctl"), "-D", self.pgdata, "status"]))
        if code != 0:
            say("starting PostgreSQL (socket in %s)" % self.pgdir)
            opts = "-k %s -p %s -c listen_addresses='' -c fsync=off -c full_page_writes=off" % (self.pgdir, PG_PORT)
            run(self.as_pg_owner([os.path.join(bindir, "pg_ctl"), "-D", self.pgdata, "-l",
                                  os.path.join(self.pgdir, "postgresql.log"), "-w", "-o", opts, "start"]),
                quiet=True)

    def ensure_debian_tool(self, package, commands, purpose):
        """A program the tests or reports need: found on PATH, else Debian's ``package`` installed when root."""
        if any(shutil.which(name) for name in commands):
            return
        if self.is_root and shutil.which("apt-get"):
            say("installing Debian's %s for %s" % (package, purpose))
            env = dict(self.env, DEBIAN_FRONTEND="noninteractive")
            install = ["apt-get", "install", "-y", "-q", package]
            if run(install, check=False, quiet=True, env=env, stderr=subprocess.DEVNULL).returncode:
                run(["apt-get", "update", "-q"], quiet=True, env=env)  # a new machine's package lists are empty
                run(install, quiet=True, env=env)
            return
        raise BootstrapError("%s needs %s: install Debian's package %s" % (purpose, commands[0], package))

    def ensure_chromium(self):
        """Browser tours (HttpCase.start_tour) need a Chromium; Debian's package does."""
        self.ensure_debian_tool("chromium", ("chromium", "chromium-browser", "google-chrome"), "the browser tours")

    def ensure_wkhtmltopdf(self):
        """PDF reports (the commission statement) are printed by wkhtmltopdf, Odoo 19's report engine."""
        self.ensure_debian_tool("wkhtmltopdf", ("wkhtmltopdf",), "the PDF reports")

    def stop_postgres(self):
        if self.external_pg or not os.path.isfile(os.path.join(self.pgdata, "PG_VERSION")):
            say("no embedded PostgreSQL cluster to stop")
            return
        bindir = self.pg_bindir()
        code, _o, _e = output(self.as_pg_owner([os.path.join(bindir, "pg_ctl"), "-D", self.pgdata, "status"]))
        if code == 0:
            run(self.as_pg_owner([os.path.join(bindir, "pg_ctl"), "-D", self.pgdata, "-m", "fast", "stop"]),
                quiet=True)
            say("PostgreSQL stopped")
        else:
            say("PostgreSQL was not running")

    def psql(self, dbname, query, params=None):
        """Run one query with the venv's psycopg2; returns the rows.

        Values go in ``params`` (a list for ``%s``, a dict for ``%(name)s``), which psycopg2 quotes:
        never format them into ``query``. Without params, ``%`` in the query stays literal.
        """
        script = (
            "import json, sys, psycopg2\n"
            "conn = psycopg2.connect(dbname=sys.argv[1])\n"
            "conn.autocommit = True\n"
            "cur = conn.cursor(); cur.execute(sys.argv[2], json.loads(sys.argv[3]))\n"
            "print(json.dumps(cur.fetchall() if cur.description else []))\n"
        )
        code, out, err = output([self.python, "-c", script, dbname, query, json.dumps(params)],
                                env=dict(self.env, **self.pg_env()))
        if code != 0:
            last = (err.strip().splitlines() or ["?"])[-1]
            raise BootstrapError("PostgreSQL at %s: %s" % (self.pg_env()["PGHOST"], last))
        return json.loads(out)

    def db_exists(self, name):
        return bool(self.psql("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", [name]))

    def module_state(self, db, module):
        rows = self.psql(db, "SELECT state FROM ir_module_module WHERE name = %s", [module])
        return rows[0][0] if rows else None

    # ------------------------------------------------------------------ Odoo
    def write_conf(self, port=8069):
        pg = self.pg_env()
        lines = [
            "[options]",
            "addons_path = %s" % ",".join(self.addons_paths()),
            "data_dir = %s" % os.path.join(self.dir, "data"),
            "db_host = %s" % pg["PGHOST"],
            "db_port = %s" % pg.get("PGPORT", "5432"),
            "db_user = %s" % pg["PGUSER"],
            "http_interface = 127.0.0.1",
            "http_port = %s" % port,
            "gevent_port = %s" % (int(port) + 3),
            "list_db = False",
        ]
        if pg.get("PGPASSWORD"):
            lines.append("db_password = %s" % pg["PGPASSWORD"])
        with open(self.conf, "w") as fh:
            fh.write("\n".join(lines) + "\n")

    def odoo(self, *args, **kw):
        return run([self.python, "-m", "odoo"] + list(args), env=self.odoo_env(), **kw)

    def odoo_env(self):
        env = dict(self.env, **self.pg_env())
        env.pop("ODOO_RC", None)
        return env

    def module_closure(self, module):
        """Modules an install of ``module`` brings in (itself and auto-installed ones), from the manifests."""
        manifests = {}
        for path in reversed(self.addons_paths()):
            for manifest in glob.glob(os.path.join(path, "*", "__manifest__.py")):
                manifests[os.path.basename(os.path.dirname(manifest))] = manifest

        def info(name):
            data = ast.literal_eval(read_text(manifests[name])) if name in manifests else {}
            # country-bound modules (l10n_*) only auto-install for a company of that country
            trigger = data.get("auto_install", False) if data.get("installable", True) else False
            return data.get("depends", []), False if data.get("countries") else trigger

        def close(names):
            todo = list(names)
            while todo:
                name = todo.pop()
                if name not in seen:
                    seen.add(name)
                    todo.extend(info(name)[0])

        seen = set()
        close([module, "base", "web"])
        auto = {name: info(name) for name in manifests}
        changed = True
        while changed:  # auto_install modules join once their (listed) dependencies are in
            changed = False
            for name, (depends, trigger) in auto.items():
                if name in seen or not trigger:
                    continue
                needed = trigger if isinstance(trigger, list) else depends
                if all(dep in seen for dep in needed):
                    close([name])
                    changed = True
        return seen

    def install_db(self, db, demo, log_level="warn"):
        count = len(self.module_closure(ADDON))
        say("installing %d modules (%s and its dependencies%s) into database %s"
            % (count, ADDON, ", with demo data" if demo else "", db))
        start = time.time()
        args = ["-c", self.conf, "-d", db, "-i", ADDON, "--stop-after-init", "--log-level=%s" % log_level,
                "--no-http", QUIET_WARNINGS]
        args.append("--with-demo" if demo else "--without-demo")
        self.odoo(*args, check=False)
        if self.module_state(db, ADDON) != "installed":
            raise BootstrapError("installing %s into %s failed: see Odoo's log above" % (ADDON, db))
        say("installed in %.0f s" % (time.time() - start))

    @staticmethod
    def source_hash():
        """Fingerprint of the add-on's files, to update a kept database only when they changed."""
        digest = hashlib.sha256()
        top = os.path.join(REPO, ADDON)
        for folder, dirs, files in sorted(os.walk(top)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, top).encode())
                with open(path, "rb") as fh:
                    digest.update(fh.read())
        return digest.hexdigest()

    def stored_source_hash(self, db):
        rows = self.psql(db, "SELECT value FROM ir_config_parameter WHERE key = %s", [SOURCE_HASH_KEY])
        return rows[0][0] if rows else None

    def set_source_hash(self, db):
        self.psql(db, "INSERT INTO ir_config_parameter (key, value) VALUES (%s, %s) "
                      "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", [SOURCE_HASH_KEY, self.source_hash()])

    def drop_db(self, db):
        if self.db_exists(db):
            self.odoo("db", "-c", self.conf, "drop", db, quiet=True, stderr=subprocess.DEVNULL)

    def demo_logins(self, db):
        rows = self.psql(db, """
            SELECT u.login, CASE WHEN u.share THEN 'portal' ELSE 'internal' END
              FROM res_users u JOIN ir_model_data d ON d.model = 'res.users' AND d.res_id = u.id
             WHERE d.module = %s AND u.active ORDER BY u.share, u.login""", [ADDON])
        return rows

    def prepare(self):
        self.check_python()
        odoo_dir = self.ensure_odoo()
        self.ensure_venv(odoo_dir)
        self.ensure_postgres()

    # ------------------------------------------------------------------ commands
    def ensure_demo_db(self):
        """The demo database, made once with demo data, updated when the add-on's files changed."""
        if self.db_exists(self.demo_db) and self.module_state(self.demo_db, ADDON) != "installed":
            say("database %s is incomplete (an earlier install stopped): recreating it" % self.demo_db)
            self.drop_db(self.demo_db)
        if not self.db_exists(self.demo_db):
            self.install_db(self.demo_db, demo=True)
            self.set_source_hash(self.demo_db)
        elif self.source_hash() != self.stored_source_hash(self.demo_db):
            say("the add-on changed since %s was made: updating it (-u %s)" % (self.demo_db, ADDON))
            self.odoo("-c", self.conf, "-d", self.demo_db, "-u", ADDON, "--stop-after-init", "--log-level=warn",
                      "--no-http", QUIET_WARNINGS)
            self.set_source_hash(self.demo_db)

    def cmd_run(self, args):
        port = self.env.get("PORT", "8069")
        if not port.isdigit():
            raise BootstrapError("PORT=%s is not a port number" % port)
        self.check_port(port)
        self.prepare()
        self.ensure_wkhtmltopdf()
        self.write_conf(port)
        self.ensure_demo_db()
        url = "http://127.0.0.1:%s" % port
        print("", flush=True)
        print("Partner Program is starting on %s  (database %s, Ctrl-C stops it)" % (url, self.demo_db))
        print("  admin      login admin / password admin  ->  %s/odoo" % url)
        for login, kind in self.demo_logins(self.demo_db):
            print("  %-10s login %s / password %s  ->  %s/my" % (kind, login, login, url))
        print("", flush=True)
        self.check_port(port)
        os.execve(self.python, [self.python, "-m", "odoo", "-c", self.conf, "-d", self.demo_db,
                                "--db-filter", "^%s$" % self.demo_db, QUIET_WARNINGS] + args, self.odoo_env())

    def cmd_test(self, args):
        self.prepare()
        self.ensure_chromium()
        self.ensure_wkhtmltopdf()
        self.write_conf()
        if self.env.get("FRESH", "1") != "0" or not self.db_exists(self.test_db):
            self.drop_db(self.test_db)
            self.install_db(self.test_db, demo=True)
        else:
            say("FRESH=0: updating %s in the existing %s" % (ADDON, self.test_db))
            self.odoo("-c", self.conf, "-d", self.test_db, "-u", ADDON, "--stop-after-init", "--log-level=warn",
                      "--no-http")
        if not args:
            say("tests of the bootstrap and of uninstalling (plain pytest, Odoo only as a subprocess)")
            code = self.pytest(["-p", "no:odoo", os.path.join(TOOLS, "tests")])
            if code:
                return code
        say("add-on tests through pytest-odoo (HTTP server on, so HttpCase tests run)")
        code = self.pytest(["--odoo-config", self.conf, "--odoo-database", self.test_db, "--odoo-http",
                            "--odoo-log-level", self.env.get("ODOO_LOG_LEVEL", "warn")]
                           + (args or [os.path.join(REPO, ADDON, "tests")]))
        if args or code:
            return code
        return odoo_suites.run(self)

    def pytest(self, args):
        env = dict(self.odoo_env(), RUNTIME_DIR=self.dir, TEST_DB=self.test_db, PYTHONDONTWRITEBYTECODE="1")
        cmd = [os.path.join(self.venv, "bin", "pytest"), "-p", "no:cacheprovider", "-q", "-rs",
               "-W", "ignore::DeprecationWarning"] + args
        return subprocess.run(cmd, cwd=REPO, env=env).returncode

    def cmd_lint(self, _args):
        self.check_python()
        self.ensure_venv(self.ensure_odoo())
        bindir = os.path.join(self.venv, "bin")
        say("ruff")
        paths = [p for p in (ADDON, "tools", "benchmarks") if os.path.isdir(os.path.join(REPO, p))]
        code = run([os.path.join(bindir, "ruff"), "check"] + paths, cwd=REPO, check=False).returncode
        say("pylint-odoo")
        code |= run([os.path.join(bindir, "pylint"), "--rcfile", os.path.join(REPO, ".pylintrc"), ADDON],
                    cwd=REPO, check=False, env=dict(self.env, PYTHONPATH=os.path.join(REPO))).returncode
        say("translations (.po syntax and placeholders) and README.rst")
        code |= run([self.python, os.path.join(TOOLS, "check_po.py")], cwd=REPO, check=False).returncode
        code |= run([self.python, os.path.join(TOOLS, "readme_rst.py"), "--check"], cwd=REPO, check=False).returncode
        return code

    def cmd_bench(self, args, script="bench.py"):
        """benchmarks/bench.py with the runtime's Python (see benchmarks/ and README)."""
        self.prepare()
        self.write_conf()
        env = dict(self.odoo_env(), RUNTIME_DIR=self.dir, PYTHONDONTWRITEBYTECODE="1")
        return subprocess.run([self.python, os.path.join(REPO, "benchmarks", script)] + args, cwd=REPO,
                              env=env).returncode

    def cmd_migrate_from_resellers(self, _args):
        """Switch the database named by DB= from Odoo's Resellers to the add-on, keeping its data."""
        db = self.env.get("DB")
        if not db:
            raise BootstrapError("name the database: make migrate-from-resellers DB=name (back it up first)")
        self.prepare()
        self.write_conf()
        if not self.db_exists(db):
            raise BootstrapError("there is no database %s" % db)
        try:
            result = migrate_resellers.migrate(self, db, say=say)
        except RuntimeError as exc:
            raise BootstrapError(str(exc)) from None
        say("%s now runs %s: %d partners and %d leads kept their Resellers values" % (
            db, ADDON, result["partners"], result["leads"]))
        return 0

    def cmd_simulate_routing(self, args):
        """Replay the last 90 days (ARGS="--days N") of the demo database (or DB=name) with and without the
        performance factor; prints a table, writes nothing."""
        db = self.env.get("DB") or self.demo_db
        days = int(args[args.index("--days") + 1]) if "--days" in args else 90
        self.prepare()
        self.write_conf()
        if not self.db_exists(db):
            raise BootstrapError("there is no database %s: `make run` creates the demo database" % db)
        try:
            result = simulate_routing.simulate(self, db, days=days)
        except RuntimeError as exc:
            raise BootstrapError(str(exc)) from None
        print(simulate_routing.table(result))
        return 0

    def cmd_clicks(self, args):
        """benchmarks/clicks.py: a burst of referral clicks on loopback against the demo server with workers."""
        return self.cmd_bench(args, script="clicks.py")

    def cmd_soak(self, args):
        """benchmarks/soak.py: bounded portal traffic on loopback against the demo server with workers."""
        return self.cmd_bench(args, script="soak.py")

    def cmd_reset(self, _args):
        self.prepare()
        self.write_conf()
        if self.db_exists(self.demo_db):
            self.drop_db(self.demo_db)
            say("database %s dropped: the next `make run` creates it again" % self.demo_db)
        else:
            say("no database %s to drop" % self.demo_db)

    def cmd_pot(self, _args):
        """Export the add-on's terms with Odoo's own exporter from the demo database (made or updated first)."""
        self.prepare()
        self.write_conf()
        self.ensure_demo_db()
        pot = os.path.join(REPO, ADDON, "i18n", ADDON + ".pot")
        say("exporting the terms of %s from %s to %s" % (ADDON, self.demo_db, os.path.relpath(pot, REPO)))
        with tempfile.TemporaryDirectory(dir=self.dir) as tmp:
            fresh = os.path.join(tmp, ADDON + ".pot")
            self.odoo("i18n", "export", "-c", self.conf, "-d", self.demo_db, "-o", fresh, ADDON)
            if not os.path.isfile(fresh):
                raise BootstrapError("Odoo's exporter wrote no %s: see its log above" % os.path.basename(pot))
            # Only the header's dates changed: keep the file, so that `make pot` alone makes no diff.
            if os.path.isfile(pot) and pot_body(read_text(pot)) == pot_body(read_text(fresh)):
                say("%s is already current" % os.path.relpath(pot, REPO))
                return 0
            os.makedirs(os.path.dirname(pot), exist_ok=True)
            shutil.copyfile(fresh, pot)
        say("wrote %s" % os.path.relpath(pot, REPO))
        return 0

    def cmd_stop(self, _args):
        self.stop_postgres()

    def cmd_shell(self, args):
        self.prepare()
        self.write_conf()
        os.execve(self.python, [self.python, "-m", "odoo", "shell", "-c", self.conf, "-d", self.demo_db] + args,
                  self.odoo_env())

    def cmd_env(self, _args):
        """Print shell exports for using the runtime by hand (``eval $(make -s env)``)."""
        self.prepare()
        self.write_conf()
        for key, value in dict(self.pg_env(), PATH=os.path.join(self.venv, "bin") + ":" + self.env["PATH"]).items():
            print("export %s=%s" % (key, value))
        print("export ODOO_RC=%s" % self.conf)


COMMANDS = ("run", "test", "lint", "pot", "bench", "soak", "clicks", "migrate-from-resellers", "simulate-routing",
            "reset", "stop", "shell", "env")


def pot_body(text):
    """A .pot without the dates Odoo's exporter stamps at every export."""
    return [line for line in text.splitlines() if not re.match(r'^"(POT-Creation|PO-Revision)-Date:', line)]


def main(argv, env=None):
    if not argv or argv[0] not in COMMANDS:
        sys.stderr.write("usage: dev.py {%s} [args...]\n" % "|".join(COMMANDS))
        return 2
    try:
        rt = Runtime(env)
        return getattr(rt, "cmd_" + argv[0].replace("-", "_"))(argv[1:]) or 0
    except BootstrapError as exc:
        sys.stderr.write("error: %s\n" % exc)
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 130

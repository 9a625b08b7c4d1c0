"""Cluster soak: `make soak ARGS="--cluster"` (ARGS="--cluster --seconds 60 --resellers 20 --workers 2").

The shape a vendor with thousands of resellers runs, all on this machine (loopback and UNIX sockets only), for a
bounded time:

- a streaming replica of the embedded PostgreSQL cluster: ``pg_basebackup -R`` of the primary into
  ``$RUNTIME_DIR/pg/replica-<db>/``, started with pg_ctl on its own socket, stopped and removed at the end;
- two Odoo servers (``--workers`` each) on two loopback ports, one database, one data dir (filestore and
  sessions), both with ``--db_replica_host/--db_replica_port`` on the replica: Odoo serves the routes declared
  ``readonly=True`` from it; scheduled actions on the first node only (``--max-cron-threads``);
- resellers answering leads, registering deals, requesting funds, reading the directory and their program page,
  anonymous visitors clicking referral links, every request to the next node in turn; a manager approving deal
  registrations (which earns rewards) and fund requests, and running the add-on's scheduled actions (assignment,
  level recompute, time to answer, click folding, expiries) on the cron node over JSON-RPC.

Then the database is checked (nothing lost or doubled: answers, leads, clicks, registrations, rewards, fund
requests and ledgers; no lead held by a reseller that declined it; every fund's balance equal to its ledger),
the servers' logs are read for transactions Odoo replayed after a serialization failure, and the figures are
printed and written as a section of benchmarks/RESULTS.md. Exits non-zero when a check fails.
"""
import contextlib
import http.cookiejar
import json
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))

import bootstrap  # noqa: E402
import servers  # noqa: E402
import soak  # noqa: E402

REPLICA_PORT = 5433  # names the replica's socket file only: like the primary, it listens on no TCP port
ADMIN = ("admin", "admin")  # the demo database's administrator
CRONS = [  # the add-on's scheduled actions, run on the cron node during the soak
    "partner_program.ir_cron_assign_partner",
    "partner_program.ir_cron_partnership_levels",
    "partner_program.ir_cron_partner_answer_deadline",
    "partner_program.ir_cron_fold_referral_clicks",
    "partner_program.ir_cron_deal_registration_expiry",
    "partner_program.ir_cron_fund_request_expiry",
]
# What Odoo logs (odoo.service.model, INFO) when it replays a transaction after a serialization failure, when
# it gives up, and (odoo.http, WARNING) when a readonly route wrote and was served again on the primary.
RETRY_RE = re.compile(r"odoo\.service\.model: (\w+).*, \d+ tries left, try again in")
GAVE_UP_RE = re.compile(r"odoo\.service\.model: (\w+).*, maximum number of tries reached")
RO_FALLBACK = "retrying with a read/write cursor"
REPLICA_DOWN = "Failed to open a readonly cursor"
# The master killing a cron worker whose job outlived limit_time_real (its transaction is rolled back, the job runs
# again later): Odoo's own behaviour on a loaded machine, reported apart, no request fails with it.
CRON_TIMEOUT_RE = re.compile(r"WorkerCron \(\d+\) timeout after")


# ---------------------------------------------------------------------------------------------- seeding
def phase_seed(conf, db, resellers, leads_per_reseller, run_tag):
    """The single-server soak's resellers and leads, plus what the other kinds of traffic need: a partner group
    (referral links, deal registrations reviewed by the manager, a reward for each approved one), a partnership
    and a credited marketing fund per reseller."""
    import odoo
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", conf, "-d", db, "--log-level=warn", "--log-handler=py.warnings:ERROR"])
    with Registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True})
        seeded, partners = soak.seed(env, resellers, leads_per_reseller, run_tag)
        reseller_type = env.ref("partner_program.partner_type_reseller")
        group = env["partner.group"].search([("name", "=", "Soak group")], limit=1)
        if not group:
            group = env["partner.group"].create({
                "name": "Soak group", "type_id": reseller_type.id,
                "grade_id": env.ref("partnership.res_partner_grade_data_bronze").id,
                "destination_url": "/contactus", "deal_auto_approve": False, "allow_deal_registration": True,
                "allow_referral_links": True,
            })
            env["partner.offer"].create({"name": "Soak registration bonus", "group_id": group.id,
                                         "trigger": "registration_approved", "reward_type": "fixed", "amount": 50})
        partners.filtered(lambda partner: partner.partner_group_id != group).write({"partner_group_id": group.id})
        silver = env.ref("partnership.res_partner_grade_data_silver")
        Partnership = env["partner.partnership"]
        have = Partnership.search([("partner_id", "in", partners.ids)]).partner_id
        Partnership.create([{
            "partner_id": partner.id, "type_id": reseller_type.id, "grade_id": silver.id,
            "date_start": fields_today(env, days=-30),
        } for partner in partners - have])
        partnerships = Partnership.search([("partner_id", "in", partners.ids)])
        Fund = env["partner.fund"]
        funded = Fund.search([("partnership_id", "in", partnerships.ids)]).partnership_id
        Fund.create([{"name": "Soak fund", "partnership_id": p.id} for p in partnerships - funded])
        funds = Fund.search([("partnership_id", "in", partnerships.ids)])
        first_funds = {}
        for fund in funds:
            first_funds.setdefault(fund.partner_id.id, fund)
        env["partner.fund.operation"].create([{
            "fund_id": fund.id, "operation_type": "credit", "amount": 100000, "name": "%s credit" % run_tag,
        } for fund in first_funds.values()])
        links = env["partner.referral.link"].search([("partner_id", "in", partners.ids), ("is_custom", "=", False)])
        clicks = env["partner.referral.click"]._counts(links)
        users = env["res.users"].search([("login", "=like", "soak\\_%"), ("partner_id.commercial_partner_id", "in",
                                                                              partners.ids)])
        logins = {user.login: {
            "fund_id": first_funds[user.partner_id.commercial_partner_id.id].id,
            "link": links.filtered(lambda link, u=user: link.partner_id == u.partner_id.commercial_partner_id)[:1].code,
        } for user in users}
        seeded.update({
            "group_id": group.id, "logins": logins, "link_ids": links.ids, "fund_ids": funds.ids,
            "clicks_before": sum(links.mapped("click_count_folded")) + sum(clicks.values()),
            "crons": {xmlid: env.ref(xmlid).id for xmlid in CRONS},
        })
        print(json.dumps(seeded))


def fields_today(env, days=0):
    from datetime import timedelta

    from odoo import fields
    return fields.Date.to_string(fields.Date.context_today(env["res.partner"]) + timedelta(days=days))


# ---------------------------------------------------------------------------------------------- replica
class Replica:
    """A streaming replica of the embedded cluster, under the runtime's pg/ folder, for the time of a ``with``."""

    def __init__(self, rt, name):
        self.rt = rt
        self.home = os.path.join(rt.pgdir, "replica-%s" % name)
        self.data = os.path.join(self.home, "data")
        self.bindir = rt.pg_bindir()

    def pg(self, tool, *args, **kw):
        return subprocess.run(self.rt.as_pg_owner([os.path.join(self.bindir, tool), *args]), env=self.pg_env(),
                              capture_output=True, text=True, **kw)

    def pg_env(self):
        return dict(self.rt.odoo_env(), PGCONNECT_TIMEOUT="10")

    def allow_replication(self):
        """The primary must accept a replication connection on its socket: wal_level, wal senders, pg_hba."""
        wal_level = self.rt.psql("postgres", "SHOW wal_level")[0][0]
        senders = self.rt.psql("postgres", "SHOW max_wal_senders")[0][0]
        if wal_level == "minimal" or int(senders) < 1:
            raise bootstrap.BootstrapError("the embedded cluster runs with wal_level=%s, max_wal_senders=%s: a "
                                           "replica needs wal_level=replica and a WAL sender" % (wal_level, senders))
        hba = os.path.join(self.rt.pgdata, "pg_hba.conf")
        with open(hba) as fh:
            text = fh.read()
        if not re.search(r"^\s*local\s+replication\s+(all|%s)\s+trust\b" % bootstrap.PG_SUPERUSER, text, re.M):
            with open(hba, "a") as fh:
                fh.write("\n# partner_program cluster soak: pg_basebackup and the replica over the socket\n"
                         "local   replication     all                                     trust\n")
            self.rt.psql("postgres", "SELECT pg_reload_conf()")

    def remove(self):
        if os.path.isfile(os.path.join(self.data, "postmaster.pid")):
            self.pg("pg_ctl", "-D", self.data, "-m", "immediate", "-t", "60", "stop", timeout=90)
        shutil.rmtree(self.home, ignore_errors=True)

    @contextlib.contextmanager
    def running(self):
        self.remove()  # what an interrupted run left
        self.allow_replication()
        os.makedirs(self.home)
        if self.rt.is_root:
            import pwd
            owner = pwd.getpwnam("postgres")
            os.chown(self.home, owner.pw_uid, owner.pw_gid)
        try:
            start = time.time()
            done = self.pg("pg_basebackup", "-D", self.data, "-R", "-X", "stream", "-c", "fast", "--no-sync",
                           "-h", self.rt.pgdir, "-p", bootstrap.PG_PORT, "-U", bootstrap.PG_SUPERUSER, timeout=900)
            if done.returncode:
                raise bootstrap.BootstrapError("pg_basebackup failed: %s" % done.stderr.strip()[-500:])
            self.copy_seconds = time.time() - start
            opts = "-k %s -p %d -c listen_addresses='' -c hot_standby=on -c hot_standby_feedback=on -c fsync=off" % (
                self.home, REPLICA_PORT)
            done = self.pg("pg_ctl", "-D", self.data, "-l", os.path.join(self.home, "postgresql.log"), "-w",
                           "-t", "120", "-o", opts, "start", timeout=180)
            if done.returncode:
                raise bootstrap.BootstrapError("the replica did not start: %s" % done.stderr.strip()[-500:])
            yield self
        finally:
            self.remove()

    def pid(self):
        with open(os.path.join(self.data, "postmaster.pid")) as fh:
            return int(fh.readline())

    def connect(self, db):
        import psycopg2
        conn = psycopg2.connect(dbname=db, host=self.home, port=REPLICA_PORT, user=bootstrap.PG_SUPERUSER)
        conn.autocommit = True
        return conn


def primary_connect(rt, db):
    import psycopg2
    conn = psycopg2.connect(dbname=db, host=rt.pgdir, port=bootstrap.PG_PORT, user=bootstrap.PG_SUPERUSER)
    conn.autocommit = True
    return conn


def query(conn, sql, params=None):
    with conn.cursor() as cr:
        cr.execute(sql, params)
        return cr.fetchall()


XACTS = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"


# ---------------------------------------------------------------------------------------------- Odoo nodes
def offline_env(rt):
    """The servers' environment, every outgoing HTTP(S) call sent to a closed loopback port: the cron node runs
    Odoo's own scheduled actions too, and one of them (crm_iap_enrich) calls Odoo's IAP service on the internet."""
    dead_end = "http://127.0.0.1:9"  # discard port, nothing listens
    return dict(rt.odoo_env(), HTTP_PROXY=dead_end, HTTPS_PROXY=dead_end, http_proxy=dead_end, https_proxy=dead_end,
                NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")


@contextlib.contextmanager
def nodes(rt, db, replica, workers, log_dir):
    """Two Odoo servers on loopback sharing the database and the data dir; cron threads on the first only."""
    started = []
    try:
        for index in range(2):
            # the server writes its log there: the file stays open in the server once closed here
            with open(os.path.join(log_dir, "cluster-node%d.log" % (index + 1)), "w") as log:
                started.append(servers.launch(rt, db, [
                    "--gevent-port", str(servers.free_port()), "--workers", str(workers),
                    "--max-cron-threads", "1" if index == 0 else "0",
                    "--db_replica_host", replica.home, "--db_replica_port", str(REPLICA_PORT),
                    "--log-handler=odoo.service.model:INFO"], env=offline_env(rt), log=log))
        for _process, base in started:
            servers.wait_until_up(base)
        yield [base for _process, base in started], [process.pid for process, _base in started]
    finally:
        servers.stop([process for process, _base in started])


def descendants(pids):
    """``pids`` and all their children's, from /proc."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, todo = set(), list(pids)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(child for child, parent in parents.items() if parent == pid)
    return found


def listening_outside_loopback(pids):
    """TCP sockets of ``pids`` or their children listening on another address than loopback (``ss -ltnp``)."""
    if not shutil.which("ss"):
        return ["cannot check: no ss command"]
    tree = descendants(pids)
    out = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True).stdout
    bad, ours = [], 0
    for line in out.splitlines():
        owners = {int(pid) for pid in re.findall(r"pid=(\d+),", line)}
        if owners & tree:
            ours += 1
            local = line.split()[3] if len(line.split()) > 3 else ""
            if not local.startswith(("127.", "[::1]")):
                bad.append(line)
    return bad if ours else ["cannot check: no listening socket found for the servers"]


# ---------------------------------------------------------------------------------------------- traffic
class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Every response as the server sent it: a 303 after a form is the proof the form was recorded."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Client:
    """One browser: a cookie jar, every request to the next node in turn, timings kept by kind and node."""

    def __init__(self, bases, stats, lock, cookies=True, first=0):
        self.bases, self.stats, self.lock = bases, stats, lock
        handlers = [NoRedirect()]
        if cookies:
            handlers.append(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.opener = urllib.request.build_opener(*handlers)
        self.turn = first  # half the browsers start on the other node

    def call(self, kind, path, data=None, body=None, headers=None):
        node = self.turn % len(self.bases)
        self.turn += 1
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.bases[node] + path, data=body, headers=headers or {})
        start = time.perf_counter()
        text, status, location = "", None, None
        try:
            response = self.opener.open(request, timeout=120)
            text, status = response.read().decode(), response.status
        except urllib.error.HTTPError as error:
            status, location = error.code, error.headers.get("Location")
            text = error.read().decode(errors="replace") if status >= 400 else ""
        except OSError as error:
            status = "error: %s" % type(error).__name__
        elapsed = time.perf_counter() - start
        with self.lock:
            self.stats["requests"].append((kind, status, elapsed, node))
        return status, text, location


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class Reseller(threading.Thread):
    """A reseller's user on the portal, doing what resellers do, until the deadline."""

    def __init__(self, bases, index, seeded, deadline, stats, lock, run_tag):
        super().__init__()
        login = "soak_%02d" % index
        self.client = Client(bases, stats, lock, first=index)
        self.visitor = Client(bases, stats, lock, cookies=False, first=index)
        self.login, self.seeded, self.deadline = login, seeded, deadline
        self.stats, self.lock, self.run_tag = stats, lock, run_tag
        self.mine = seeded["logins"][login]
        self.rnd = random.Random(login)
        self.serial = 0

    def record(self, what, value):
        with self.lock:
            self.stats[what].append(value)

    def token(self, kind, path):
        status, page, _location = self.client.call(kind, path)
        match = CSRF_RE.search(page)
        return match.group(1) if status == 200 and match else None

    def run(self):
        token = self.token("login page", "/web/login")
        if not token:
            return  # the failed request is counted
        self.client.call("login", "/web/login", {"login": self.login, "password": self.login, "csrf_token": token})
        actions = [(self.answer, 40), (self.register_deal, 10), (self.click, 15), (self.directory, 10),
                   (self.program, 10), (self.request_funds, 10), (self.lists, 5)]
        population, weights = zip(*actions, strict=True)
        while time.time() < self.deadline:
            self.rnd.choices(population, weights)[0]()

    def answer(self):
        _status, page, _loc = self.client.call("my leads", "/my/leads")
        ids = re.findall(r'href="/my/lead/(\d+)"', page)
        if not ids:
            return self.directory()
        lead_id = self.rnd.choice(ids)
        token = self.token("my lead", "/my/lead/%s" % lead_id)
        if not token:
            return None
        if self.rnd.random() < 0.5:
            status, _text, location = self.client.call("interested", "/my/lead/%s/interested" % lead_id, {
                "csrf_token": token, "activity_type_id": self.seeded["activity_type_id"],
                "activity_date_deadline": time.strftime("%Y-%m-%d", time.localtime(time.time() + 86400 * 3)),
                "activity_summary": "Call the customer", "expected_revenue": "5000", "contacted": "1",
            })
            if status == 303 and "/my/opportunity/" in (location or ""):
                self.record("accepted", int(lead_id))
        else:
            status, _text, location = self.client.call("not interested", "/my/lead/%s/not_interested" % lead_id, {
                "csrf_token": token, "comment": "Not our market", "contacted": "0",
            })
            if status == 303 and (location or "").endswith("/my/leads"):
                self.record("declined", int(lead_id))
        return None

    def register_deal(self):
        token = self.token("registration form", "/my/registrations/new")
        if not token:
            return
        self.serial += 1
        customer = "%s %s customer %d" % (self.run_tag, self.login, self.serial)
        status, _text, location = self.client.call("register a deal", "/my/registrations/new", {
            "csrf_token": token, "partner_name": customer, "contact_name": "Alex Buyer",
            "email_from": "buyer.%s.%d@example.com" % (self.login, self.serial),
            "name": "%s %s deal %d" % (self.run_tag, self.login, self.serial), "expected_revenue": "12000",
        })
        match = re.search(r"/my/registration/(\d+)$", location or "")
        if status == 303 and match:
            self.record("registrations", int(match.group(1)))

    def click(self):
        status, _text, _location = self.visitor.call("referral click", "/r/%s" % self.mine["link"])
        if status == 302:
            self.record("clicks", 1)

    def directory(self):
        self.client.call("directory", "/partners")

    def program(self):
        self.client.call("program page", "/my/partner-program")

    def request_funds(self):
        token = self.token("fund request form", "/my/fund-requests/new")
        if not token:
            return
        self.serial += 1
        status, _text, location = self.client.call("request funds", "/my/fund-requests/new", {
            "csrf_token": token, "fund_id": self.mine["fund_id"], "activity_type": "digital",
            "name": "%s %s campaign %d" % (self.run_tag, self.login, self.serial),
            "date_start": time.strftime("%Y-%m-%d", time.localtime(time.time() + 86400 * 14)),
            "amount": str(self.rnd.randint(10, 90)),
        })
        match = re.search(r"/my/fund-requests/(\d+)", location or "")
        if status == 303 and match:
            self.record("fund_requests", int(match.group(1)))

    def lists(self):
        self.client.call("my registrations", "/my/registrations")
        self.client.call("my fund requests", "/my/fund-requests")


class Manager(threading.Thread):
    """The channel manager over JSON-RPC: approves the soak's deal registrations and fund requests (round-robin
    over the nodes) until the deadline; with ``crons``, runs the add-on's scheduled actions one after the other
    on the cron node (node 1) instead."""

    def __init__(self, bases, db, seeded, deadline, stats, lock, run_tag, crons=False):
        super().__init__()
        self.bases, self.db, self.seeded, self.deadline = bases, db, seeded, deadline
        self.mine = ("name", "=like", run_tag + " %")  # this run's registrations and requests, not earlier runs'
        self.stats, self.lock, self.crons = stats, lock, crons
        self.turn = 0
        self.uid = None

    def rpc(self, kind, service, method, args, node=None):
        if node is None:
            node = self.turn % len(self.bases)
            self.turn += 1
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": self.turn,
                           "params": {"service": service, "method": method, "args": args}}).encode()
        request = urllib.request.Request(self.bases[node] + "/jsonrpc", data=body,
                                         headers={"Content-Type": "application/json"})
        start = time.perf_counter()
        result, error = None, None
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                status, answer = response.status, json.loads(response.read())
            if "error" in answer:
                error = answer["error"].get("data", {}).get("name") or answer["error"].get("message")
            else:
                result = answer["result"]
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError as exc:
            status = "error: %s" % type(exc).__name__
        elapsed = time.perf_counter() - start
        refused = error in ("odoo.exceptions.UserError", "odoo.exceptions.ValidationError")
        if error and not refused:
            status = "rpc error: %s" % error
        with self.lock:
            self.stats["requests"].append((kind, status if not refused else 409, elapsed, node))
            if error:
                self.stats["rpc_errors"].append((kind, error))
        return result

    def execute(self, kind, model, method, *args, node=None):
        return self.rpc(kind, "object", "execute_kw", [self.db, self.uid, ADMIN[1], model, method, list(args)],
                        node=node)

    def run(self):
        self.uid = self.rpc("manager login", "common", "login", [self.db, *ADMIN])
        if not self.uid:
            return
        if self.crons:
            rounds = 0
            while time.time() < self.deadline:
                xmlid = CRONS[rounds % len(CRONS)]
                self.execute("cron: %s" % xmlid.split(".ir_cron_")[1], "ir.cron", "method_direct_trigger",
                             [self.seeded["crons"][xmlid]], node=0)
                rounds += 1
                time.sleep(1)
            return
        while time.time() < self.deadline:
            registrations = self.execute("manager: list registrations", "partner.deal.registration", "search",
                                         [("group_id", "=", self.seeded["group_id"]), ("state", "=", "submitted"),
                                          self.mine])
            for registration_id in (registrations or [])[:5]:
                if self.execute("manager: approve a registration", "partner.deal.registration", "action_approve",
                                [registration_id]):
                    with self.lock:
                        self.stats["approved_registrations"].append(registration_id)
            requests = self.execute("manager: list fund requests", "partner.fund.request", "search",
                                    [("fund_id", "in", self.seeded["fund_ids"]), ("state", "=", "submitted"),
                                     self.mine])
            for request_id in (requests or [])[:5]:
                if self.execute("manager: approve a fund request", "partner.fund.request", "action_approve",
                                [request_id]):
                    with self.lock:
                        self.stats["approved_fund_requests"].append(request_id)
            time.sleep(1)


class LagWatch(threading.Thread):
    """The replica's replay lag as the primary sees it, every second."""

    def __init__(self, rt, deadline, stats):
        super().__init__(daemon=True)
        self.rt, self.deadline, self.stats = rt, deadline, stats

    def run(self):
        conn = primary_connect(self.rt, "postgres")
        try:
            while time.time() < self.deadline:
                rows = query(conn, "SELECT EXTRACT(EPOCH FROM replay_lag), pg_wal_lsn_diff(sent_lsn, replay_lsn) "
                                   "FROM pg_stat_replication")
                for lag, behind in rows:
                    self.stats["lag"].append((float(lag or 0.0), int(behind or 0)))
                time.sleep(1)
        finally:
            conn.close()


# ---------------------------------------------------------------------------------------------- checks
CHECKS = """
WITH soak_leads AS (SELECT l.* FROM crm_lead l JOIN crm_tag_rel r ON r.lead_id = l.id AND r.tag_id = %(tag)s)
SELECT
  (SELECT count(*) FROM soak_leads) AS leads,
  (SELECT count(*) FROM soak_leads WHERE NOT active) AS archived,
  (SELECT count(*) FROM soak_leads l JOIN crm_lead_declined_partner d
       ON d.lead_id = l.id AND d.partner_id = l.partner_assigned_id) AS held_by_a_decliner,
  (SELECT count(*) FROM soak_leads WHERE type = 'opportunity' AND partner_assigned_id IS NULL) AS accepted_unassigned,
  (SELECT count(*) FROM soak_leads WHERE type = 'opportunity') AS accepted,
  (SELECT count(*) FROM crm_lead_declined_partner d JOIN soak_leads l ON l.id = d.lead_id) AS declines,
  (SELECT count(*) FROM partner_deal_registration WHERE name LIKE %(like)s) AS registrations,
  (SELECT count(*) FROM partner_deal_registration WHERE name LIKE %(like)s AND state = 'approved') AS approved,
  (SELECT count(*) FROM partner_deal_registration g WHERE g.name LIKE %(like)s AND g.state = 'approved'
      AND (SELECT count(*) FROM crm_lead o WHERE o.deal_registration_id = g.id) != 1) AS approved_without_one_opp,
  (SELECT count(*) FROM partner_reward w JOIN partner_deal_registration g ON g.lead_id = w.lead_id
    WHERE g.name LIKE %(like)s) AS rewards,
  (SELECT count(*) FROM (SELECT 1 FROM partner_reward GROUP BY offer_id, lead_id HAVING count(*) > 1) x)
      AS doubled_rewards,
  (SELECT count(*) FROM partner_fund_request WHERE name LIKE %(like)s) AS fund_requests,
  (SELECT count(*) FROM partner_fund_request WHERE name LIKE %(like)s AND state = 'approved') AS fund_approved,
  (SELECT COALESCE(sum(click_count_folded), 0) FROM partner_referral_link WHERE id = ANY(%(links)s))
    + (SELECT count(*) FROM partner_referral_click WHERE link_id = ANY(%(links)s)) AS clicks,
  (SELECT count(*) FROM partner_fund f
    WHERE f.balance != COALESCE((SELECT sum(o.amount_signed) FROM partner_fund_operation o WHERE o.fund_id = f.id), 0)
       OR f.reserved != COALESCE((SELECT sum(q.reserved_amount) FROM partner_fund_request q
                                   WHERE q.fund_id = f.id), 0)) AS funds_off_ledger,
  (SELECT count(*) FROM partner_fund) AS funds,
  (SELECT count(*) FROM partner_fund_operation o WHERE o.fund_id = ANY(%(funds)s) AND o.name = %(credit)s)
      AS soak_credits,
  (SELECT count(DISTINCT o.fund_id) FROM partner_fund_operation o
    WHERE o.fund_id = ANY(%(funds)s) AND o.name = %(credit)s) AS credited_funds
"""


CONCURRENCY = ("could not serialize", "deadlock detected", "lock not available", "conflict with recovery",
               "ConcurrencyError")


def read_logs(paths):
    """What the servers' logs say: replays after a serialization failure (by node and error), give-ups, readonly
    routes replayed on the primary, replica outages, and the ERROR records (the failed statements of the replayed
    transactions apart)."""
    found = {"retries": {}, "gave_up": 0, "ro_fallbacks": 0, "replica_down": 0, "concurrency_errors": 0,
             "cron_timeouts": 0, "errors": 0, "sample": []}
    for node, path in enumerate(paths):
        records, current = [], None
        with open(path, errors="replace") as fh:
            for line in fh:
                if re.match(r"\d{4}-\d\d-\d\d ", line):
                    current = [line]
                    records.append(current)
                elif current is not None:
                    current.append(line)
        for record in records:
            line, text = record[0], "".join(record)
            match = RETRY_RE.search(line)
            if match:
                key = (node, match.group(1))
                found["retries"][key] = found["retries"].get(key, 0) + 1
            elif GAVE_UP_RE.search(line):
                found["gave_up"] += 1
            elif RO_FALLBACK in line:
                found["ro_fallbacks"] += 1
                found["sample"].append(line.strip()[:300])
            elif REPLICA_DOWN in line:
                found["replica_down"] += 1
            elif CRON_TIMEOUT_RE.search(line):
                found["cron_timeouts"] += 1
            elif " ERROR " in line or " CRITICAL " in line:
                if any(marker in text for marker in CONCURRENCY):
                    found["concurrency_errors"] += 1
                else:
                    found["errors"] += 1
                    found["sample"].append(text.strip()[:500])
    return found


def percentile(values, share):
    """Nearest-rank percentile (the p95 of two values is the larger one)."""
    values = sorted(values)
    return values[max(0, math.ceil(share * len(values)) - 1)] if values else 0.0


READ_KINDS = ("my leads", "directory", "program page", "my registrations", "my fund requests")  # readonly=True


def report(args, seeded, stats, wall, check, logs, xacts, replica, nodes_count):
    requests = stats["requests"]
    kinds = {}
    for kind, status, elapsed, node in requests:
        kinds.setdefault(kind, []).append((status, elapsed, node))
    rows = ["| request | count | 2xx/3xx | 4xx | 5xx or error | p50 ms | p95 ms | node 1 / node 2 |",
            "|---|---|---|---|---|---|---|---|"]
    failures = 0
    for kind, results in kinds.items():
        codes = [status for status, _e, _n in results]
        ok = sum(1 for s in codes if isinstance(s, int) and s < 400)
        client = sum(1 for s in codes if isinstance(s, int) and 400 <= s < 500)
        bad = len(codes) - ok - client
        failures += bad
        times = [elapsed * 1000 for _s, elapsed, _n in results]
        split = [sum(1 for _s, _e, n in results if n == i) for i in range(nodes_count)]
        rows.append("| %s | %d | %d | %d | %d | %.0f | %.0f | %s |" % (
            kind, len(codes), ok, client, bad, statistics.median(times), percentile(times, 0.95),
            " / ".join(map(str, split))))
    per_node = [sum(1 for *_x, n in requests if n == i) for i in range(nodes_count)]
    retries = sum(logs["retries"].values())
    retry_detail = ", ".join("node %d %s: %d" % (node + 1, code, n) for (node, code), n in sorted(
        logs["retries"].items())) or "none"
    primary, standby = xacts
    share = standby / (primary + standby) if primary + standby else 0.0
    lags = stats["lag"]
    problems = []
    if check["leads"] != seeded["leads"] or check["archived"]:
        problems.append("leads lost: %d of %d, %d archived" % (check["leads"], seeded["leads"], check["archived"]))
    if check["held_by_a_decliner"] or check["accepted_unassigned"]:
        problems.append("leads held by the wrong reseller: %d by a decliner, %d accepted but unassigned" % (
            check["held_by_a_decliner"], check["accepted_unassigned"]))
    answered = (len(stats["accepted"]), len(stats["declined"]))
    if answered != (check["accepted"], check["declines"]) or len(set(stats["accepted"])) != len(stats["accepted"]):
        problems.append("answers lost or doubled: the servers confirmed %d interested and %d not interested, the "
                        "database holds %d accepted and %d declines" % (*answered, check["accepted"],
                                                                         check["declines"]))
    if len(stats["registrations"]) != check["registrations"] or check["approved_without_one_opp"]:
        problems.append("deal registrations: %d confirmed, %d in the database, %d approved without exactly one "
                        "opportunity" % (len(stats["registrations"]), check["registrations"],
                                         check["approved_without_one_opp"]))
    if check["rewards"] != check["approved"] or check["doubled_rewards"]:
        problems.append("rewards: %d for %d approved registrations (one offer), %d doubled" % (
            check["rewards"], check["approved"], check["doubled_rewards"]))
    if len(stats["fund_requests"]) != check["fund_requests"]:
        problems.append("fund requests: %d confirmed, %d in the database" % (
            len(stats["fund_requests"]), check["fund_requests"]))
    if check["clicks"] - seeded["clicks_before"] != len(stats["clicks"]):
        problems.append("referral clicks: %d redirected, %d counted" % (
            len(stats["clicks"]), check["clicks"] - seeded["clicks_before"]))
    if check["funds_off_ledger"] or check["soak_credits"] != check["credited_funds"]:
        problems.append("ledgers: %d funds whose balance or reserve differs from their ledger; %d credits of this "
                        "run on %d funds" % (check["funds_off_ledger"], check["soak_credits"],
                                             check["credited_funds"]))
    if failures:
        problems.append("%d requests failed with 5xx, a connection or a server error" % failures)
    if logs["gave_up"]:
        problems.append("%d transactions gave up after 5 serialization failures" % logs["gave_up"])
    if logs["errors"]:
        problems.append("%d ERROR records in the servers' logs (see the sample below)" % logs["errors"])
    if logs["ro_fallbacks"]:
        problems.append("%d readonly requests wrote (replayed on the primary)" % logs["ro_fallbacks"])
    if not standby:
        problems.append("the replica served nothing")
    if stats["exposed"]:
        problems.append("listening outside loopback: %s" % "; ".join(stats["exposed"]))
    reads = [r for r in requests if r[0] in READ_KINDS]
    text = "\n".join([
        "## Cluster soak: two Odoo servers and a streaming replica, %d resellers for %d s" % (
            args.resellers, args.seconds),
        "",
        "Two Odoo servers (%d workers each, cron threads on node 1 only) on one database and data dir, both "
        "with `db_replica_host` on a streaming replica of the embedded PostgreSQL (made by `pg_basebackup -R` in "
        "%.0f s, removed afterwards). %d resellers answer leads, register deals, request funds, read the directory "
        "and their program page; visitors click their referral links; a manager approves the registrations "
        "(one reward each) and fund requests over JSON-RPC and runs the add-on's scheduled actions on node 1. "
        "Every request goes to the next node in turn." % (args.workers, replica.copy_seconds, args.resellers),
        "",
        "%d requests in %.0f s: %.1f requests/s, node 1 %d / node 2 %d; %d failed (5xx, connection or server "
        "error)." % (len(requests), wall, len(requests) / wall, *per_node, failures),
        "",
        *rows,
        "",
        "Replica: %.0f%% of the database's transactions ran on it (%d of %d, pg_stat_database); the %d page "
        "reads above are routes declared `readonly=True`. Replay lag seen by the primary: max %.3f s, max %d "
        "bytes behind." % (100 * share, standby, primary + standby, len(reads),
                           max((lag for lag, _b in lags), default=0.0), max((b for _l, b in lags), default=0)),
        "",
        "Serialization failures replayed by Odoo (odoo.service.model): %d (%s), their failed statements logged "
        "as ERROR: %d; gave up: %d; readonly routes that wrote and were replayed on the primary: %d; replica "
        "unreachable: %d; cron worker restarted after limit_time_real: %d; other ERROR records in the logs: %d." % (
            retries, retry_detail, logs["concurrency_errors"], logs["gave_up"], logs["ro_fallbacks"],
            logs["replica_down"], logs["cron_timeouts"], logs["errors"]),
        "",
        "Database after the run: %d leads (%d archived), %d accepted = %d confirmed answers \"interested\", %d "
        "declines = %d confirmed \"not interested\", %d held by a reseller that declined them, %d accepted but "
        "unassigned; %d deal registrations = %d confirmed, %d approved by the manager, each with one opportunity, "
        "%d rewards (%d doubled); %d fund requests = %d confirmed, %d approved; %d referral clicks counted = %d "
        "redirects; %d funds, %d whose balance or reserve differs from their ledger." % (
            check["leads"], check["archived"], check["accepted"], answered[0], check["declines"], answered[1],
            check["held_by_a_decliner"], check["accepted_unassigned"], check["registrations"],
            len(stats["registrations"]), check["approved"], check["rewards"], check["doubled_rewards"],
            check["fund_requests"], len(stats["fund_requests"]), check["fund_approved"],
            check["clicks"] - seeded["clicks_before"], len(stats["clicks"]), check["funds"],
            check["funds_off_ledger"]),
        "",
        "Result: %s" % ("; ".join(problems) if problems else
                        "nothing lost or doubled, no lead held by a decliner, ledgers balanced, no server error."),
        "",
        "Measured by `make soak ARGS=\"--cluster --seconds %d\"` on %s, %d cores shared with other jobs." % (
            args.seconds, time.strftime("%Y-%m-%d"), os.cpu_count()),
        "",
    ])
    return text, problems


def write_section(text):
    """Replace the cluster section of RESULTS.md (or append it), leaving the other sections as they are."""
    path = os.path.join(HERE, "RESULTS.md")
    old = "# Benchmark results\n"
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            old = fh.read()
    head = "## Cluster soak:"
    if head in old:
        start = old.index(head)
        end = old.find("\n## ", start + 1)
        old = old[:start].rstrip("\n") + ("\n\n" + old[end + 1:] if end != -1 else "\n")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(old.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n")


# ---------------------------------------------------------------------------------------------- main
def main(args):
    rt = bootstrap.Runtime()
    # make passes the embedded cluster's PGHOST down: any other server is not ours to replicate
    if rt.external_pg and os.path.abspath(rt.env["PGHOST"]) != rt.pgdir:
        raise SystemExit("error: --cluster streams a replica of the embedded PostgreSQL cluster (PGHOST is set)")
    rt.write_conf()
    db = rt.demo_db
    rt.ensure_demo_db()
    run_tag = "soak %s" % time.strftime("%Y-%m-%d %H:%M:%S")
    seed = subprocess.run([sys.executable, __file__, "seed", rt.conf, db, str(args.resellers),
                           str(args.leads_per_reseller), run_tag], env=rt.odoo_env(), capture_output=True, text=True)
    if seed.returncode:
        raise SystemExit(seed.stderr[-3000:])
    seeded = json.loads(seed.stdout.strip().splitlines()[-1])
    stats = {key: [] for key in ("requests", "accepted", "declined", "registrations", "clicks", "fund_requests",
                                 "approved_registrations", "approved_fund_requests", "rpc_errors", "lag", "exposed")}
    lock = threading.Lock()
    logs = [os.path.join(rt.dir, "cluster-node%d.log" % (i + 1)) for i in range(2)]
    print("==> streaming replica of the embedded cluster (pg_basebackup)", flush=True)
    with Replica(rt, db).running() as replica:
        with nodes(rt, db, replica, args.workers, rt.dir) as (bases, pids):
            print("==> %d resellers, %d leads, %d s against %s (%d workers each), replica on %s" % (
                args.resellers, seeded["leads"], args.seconds, " and ".join(bases), args.workers, replica.home),
                flush=True)
            stats["exposed"] = listening_outside_loopback(pids + [replica.pid()])
            conn_primary, conn_replica = primary_connect(rt, db), replica.connect(db)
            before = query(conn_primary, XACTS)[0][0], query(conn_replica, XACTS)[0][0]
            deadline = time.time() + args.seconds
            threads = [Reseller(bases, i, seeded, deadline, stats, lock, run_tag) for i in range(args.resellers)]
            threads += [Manager(bases, db, seeded, deadline, stats, lock, run_tag),
                        Manager(bases, db, seeded, deadline, stats, lock, run_tag, crons=True)]
            watch = LagWatch(rt, deadline, stats)
            start = time.time()
            watch.start()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.time() - start
        # the servers are stopped: their backends have flushed their statistics
        time.sleep(1.5)
        after = query(conn_primary, XACTS)[0][0], query(conn_replica, XACTS)[0][0]
        conn_replica.close()
        xacts = (after[0] - before[0], after[1] - before[1])
        with conn_primary.cursor() as cr:
            cr.execute(CHECKS, {"tag": seeded["tag_id"], "like": run_tag + " %", "links": seeded["link_ids"],
                                "funds": seeded["fund_ids"], "credit": "%s credit" % run_tag})
            check = dict(zip([column.name for column in cr.description], cr.fetchone(), strict=True))
        conn_primary.close()
    found = read_logs(logs)
    text, problems = report(args, seeded, stats, wall, check, found, xacts, replica, len(bases))
    print(text)
    for sample in found["sample"][:5]:
        print("log: %s" % sample)
    if stats["rpc_errors"]:
        print("JSON-RPC refusals and errors: %s" % ", ".join(sorted({"%s: %s" % e for e in stats["rpc_errors"]})))
    if not args.no_write:
        write_section(text)
        print("==> written to benchmarks/RESULTS.md")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "seed":
        phase_seed(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])

"""Benchmarks, side by side with Odoo's own Resellers module (website_crm_partner_assign).

Run with `make bench` (optionally `make bench ARGS="--leads 2000 --reps 5"`). It builds two databases of
the same seeded synthetic data, one with partner_program and one with website_crm_partner_assign,
measures both in one run and writes benchmarks/RESULTS.md. Databases are kept between runs and rebuilt
when the sizes or the seed change (--rebuild forces it); --db-prefix names them.

Both sides are measured the same way: one warm-up run, then --reps runs, each rolled back; statistics are
refreshed (VACUUM ANALYZE) on both databases before measuring; the assignment runs of both sides (and of the
floor) alternate, one of each per round; Odoo's assignment runs with mail tracking on, as users run it (and
once more with tracking off, as a second row); HTTP pages alternate between the two servers in rounds.
--scaling measures the assignment over a grid of sizes (one database pair per size).

Each phase that needs Odoo runs in its own process (`bench.py phase NAME ...`), so that one process
never holds two registries.
"""
import argparse
import contextlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tools"))

import bootstrap  # noqa: E402
from servers import start as start_server  # noqa: E402
from servers import stop as stop_servers  # noqa: E402

SIDES = {"ours": "partner_program", "odoo": "website_crm_partner_assign"}
DB = {"ours": "pp_bench_ours", "odoo": "pp_bench_odoo"}  # --db-prefix changes them
# (xmlid in base, centre latitude, centre longitude, spread in degrees)
COUNTRIES = [
    ("fr", 46.6, 2.4, 2.5), ("de", 51.1, 10.4, 2.0), ("be", 50.6, 4.6, 0.5), ("es", 40.2, -3.6, 2.5),
    ("it", 42.8, 12.5, 2.5), ("uk", 53.0, -1.5, 2.0), ("nl", 52.2, 5.3, 0.6), ("ch", 46.8, 8.2, 0.5),
    ("at", 47.6, 14.1, 1.0), ("pt", 39.6, -8.0, 1.2), ("pl", 52.0, 19.4, 2.0), ("se", 60.1, 15.6, 3.5),
    ("us", 39.8, -98.6, 9.0), ("ca", 50.0, -96.0, 7.0), ("br", -14.2, -51.9, 7.0), ("mx", 23.6, -102.5, 4.0),
    ("in", 22.0, 79.0, 5.0), ("jp", 36.2, 138.3, 2.5), ("au", -25.3, 133.8, 7.0), ("za", -30.6, 22.9, 3.5),
]
RESELLER_LOGIN = "bench_reseller"
FLOOR_SUFFIX = ": one SQL statement (floor)"
PAGE_FLOOR_SUFFIX = ": the portal layout alone, /my/security (floor)"


# ---------------------------------------------------------------------------------------- helpers
def summary(values):
    values = sorted(values)
    if not values:
        return {"n": 0}
    pick = lambda q: values[min(len(values) - 1, int(round(q * (len(values) - 1))))]  # noqa: E731
    return {"n": len(values), "median": statistics.median(values), "p50": pick(0.5), "p95": pick(0.95),
            "min": values[0], "max": values[-1]}


def odoo_env(conf, db, tracking=False):
    """An Odoo environment (superuser) on ``db``, for the phases; returns (registry, env factory).

    :param tracking: mail tracking as users run it; off (the default) for data generation
    """
    import odoo
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", conf, "-d", db, "--log-level=warn", "--log-handler=py.warnings:ERROR"])
    registry = Registry(db)

    def make(cr):
        return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {} if tracking else {"tracking_disable": True})

    return registry, make


DATASET_VERSION = 2  # bump when phase_generate changes


def dataset_key(args):
    keys = ("resellers", "leads", "directory", "held", "seed", "partnerships")
    return json.dumps(dict({k: getattr(args, k) for k in keys}, version=DATASET_VERSION), sort_keys=True)


# ---------------------------------------------------------------------------------------- phases
def phase_generate(args):
    """Fill a fresh database with the seeded synthetic data (same data on both sides)."""
    registry, make = odoo_env(args.conf, args.db)
    rnd = random.Random(args.seed)
    with registry.cursor() as cr:
        env = make(cr)
        countries = {code: env.ref("base.%s" % code) for code, *_ in COUNTRIES}
        Grade = env["res.partner.grade"]
        grades = [Grade.create({"name": name, "sequence": seq, "partner_weight": weight})
                  for name, seq, weight in (("Platinum", 0, 4), ("Gold", 1, 3), ("Silver", 2, 2), ("Bronze", 3, 1))]
        # Directory-only partners: published, with a level that gets no leads.
        listed = Grade.create({"name": "Listed", "sequence": 9, "partner_weight": 0})
        Partner = env["res.partner"].with_context(mail_create_nolog=True)

        def place():
            code, lat, lon, spread = rnd.choice(COUNTRIES)
            return code, lat + rnd.uniform(-spread, spread), lon + rnd.uniform(-spread, spread)

        def partner_values(index, grade, prefix):
            code, lat, lon = place()
            values = {"name": "%s %05d" % (prefix, index), "is_company": True, "grade_id": grade.id,
                      "country_id": countries[code].id, "city": "City %d" % rnd.randint(1, 200),
                      "partner_latitude": lat, "partner_longitude": lon, "is_published": True}
            if "website_description" in Partner._fields:
                values["website_description"] = "<p>Reseller %d</p>" % index
            return values

        resellers = Partner.browse()
        for start in range(0, args.resellers, 500):
            resellers |= Partner.create([partner_values(i, rnd.choice(grades), "Reseller")
                                         for i in range(start, min(args.resellers, start + 500))])
        for start in range(0, max(0, args.directory - args.resellers), 1000):
            Partner.create([partner_values(i, listed, "Listed")
                            for i in range(start, min(args.directory - args.resellers, start + 1000))])
        Lead = env["crm.lead"].with_context(mail_create_nolog=True, tracking_disable=True)

        def lead_values(index, **extra):
            code, lat, lon = place()
            return dict({"name": "Bench lead %06d" % index, "type": "lead", "country_id": countries[code].id,
                         "partner_latitude": lat, "partner_longitude": lon, "expected_revenue": 1000 + index % 50,
                         "contact_name": "Contact %d" % index, "email_from": "c%d@example.com" % index}, **extra)

        for start in range(0, args.leads, 1000):
            Lead.create([lead_values(i) for i in range(start, min(args.leads, start + 1000))])
        holder = resellers[0]
        for start in range(0, args.held, 1000):
            Lead.create([lead_values(10**6 + i, partner_assigned_id=holder.id,
                                     type="lead" if i % 2 else "opportunity")
                         for i in range(start, min(args.held, start + 1000))])
        contact = Partner.create({"name": "Bench Reseller User", "parent_id": holder.id,
                                  "email": "bench@example.com"})
        env["res.users"].with_context(no_reset_password=True).create({
            "name": contact.name, "login": RESELLER_LOGIN, "password": RESELLER_LOGIN, "partner_id": contact.id,
            "group_ids": [(6, 0, [env.ref("base.group_portal").id])],
        })
        if "partner.partnership" in env and args.partnerships:
            # Partner programs (ours only): a ladder Listed < Bronze < Silver < Gold < Platinum asking for
            # 0/5/20/60/150 leads, and one running partnership per graded company at its current level.
            ptype = env["partner.type"].create({"name": "Bench resellers"})
            category = env.ref("partner_program.parameter_category_leads")
            ladder = [listed] + grades[::-1]
            env["partner.level.parameter"].create([
                {"type_id": ptype.id, "grade_id": grade.id, "category_id": category.id, "target": target}
                for grade, target in zip(ladder, (0, 5, 20, 60, 150), strict=True)
            ])
            companies = env["res.partner"].search([("is_company", "=", True), ("grade_id", "!=", False)],
                                                  order="id", limit=args.partnerships)
            Partnership = env["partner.partnership"].with_context(mail_create_nolog=True, tracking_disable=True)
            for start in range(0, len(companies), 1000):
                Partnership.create([{"partner_id": p.id, "type_id": ptype.id, "grade_id": p.grade_id.id}
                                    for p in companies[start:start + 1000]])
        env["ir.config_parameter"].set_param("partner_program.bench_dataset", args.key)
    print(json.dumps({"ok": True}))


def repeat(args, prepare, action, report):
    """Run ``action`` once to warm up, then ``args.reps`` times, each in its own transaction rolled back
    afterwards.

    ``prepare(env)`` picks the records outside the measure, ``action(env, records)`` is timed with its
    queries counted, ``report(env, records)`` adds figures; prints the measured runs as JSON. With
    ``--paced``, after the warm-up it prints ``ready`` and then runs once per line read on stdin, printing
    each run as JSON: the orchestrator alternates the runs of several sides (``Bench.alternate``).
    """
    registry, make = odoo_env(args.conf, args.db, tracking=bool(args.tracking))

    def measure():
        with registry.cursor() as cr:
            env = make(cr)
            records = prepare(env)
            env.flush_all()
            env.invalidate_all()
            queries, start = cr.sql_log_count, time.perf_counter()
            action(env, records)
            env.flush_all()
            run = dict({"seconds": time.perf_counter() - start, "queries": cr.sql_log_count - queries},
                       **report(env, records))
            cr.rollback()
            return run

    measure()  # warm-up
    if args.paced:
        print("ready", flush=True)
        for _line in sys.stdin:
            print(json.dumps(measure()), flush=True)
        return
    print(json.dumps([measure() for _ in range(args.reps)]))


def merge_rows(previous, rows):
    """With --keep: the table of ``previous`` (a RESULTS.md) with its rows measured again replaced by
    ``rows`` in place, the others kept with the date of their run in their notes; new rows at the end.
    The first cell stays the measure's name, so the table's first row keeps its name."""
    table = previous.split("\n## ")[0]
    date = next((line.split(" on ")[1].rstrip(".") for line in table.splitlines()
                 if line.startswith("Measured by `make bench` on ")), "?")
    fresh = {row.split(" | ")[0][2:]: row for row in rows}
    merged = []
    for line in table.splitlines():
        cells = line.split(" | ")
        if not line.startswith("| ") or line.startswith(("| measure ", "|---")) or len(cells) < 5:
            continue
        what, _sep, run = cells[0][2:].partition(" (run of ")  # the older marking, in the name
        if what in fresh:
            merged.append(fresh.pop(what))
            continue
        if not cells[4].startswith("run of "):
            cells[4] = "run of %s; %s" % (run.rstrip(")") or date, cells[4])
        merged.append(" | ".join(["| " + what] + cells[1:]))
    return merged + list(fresh.values())


def unassigned_bench_leads(env, limit=0):
    return env["crm.lead"].search([("partner_assigned_id", "=", False), ("name", "like", "Bench lead")],
                                  limit=limit or None, order="id")


def route_by_performance(env):
    """Routing by performance on, resellers' factors spread over 0.5-1.5 (rolled back with the run)."""
    env.cr.execute("UPDATE res_company SET partner_performance_routing = TRUE, partner_performance_floor = 0.5")
    env.cr.execute("""UPDATE res_partner SET partner_performance_factor = 0.5 + mod(id, 11) / 10.0,
                                             partner_performance_sample = 20, partner_performance_cause = 'fast',
                                             partner_performance_answer_hours = 3, partner_performance_win_rate = 0.3,
                                             partner_performance_acceptance = 0.8
                       WHERE grade_id IS NOT NULL""")
    env.invalidate_all()


def phase_assign(args):
    """Automatic assignment of the unassigned leads (the first --limit of them, when given); with --routed,
    routing by performance on."""
    def prepare(env):
        if args.routed:
            route_by_performance(env)
        return unassigned_bench_leads(env, args.limit)

    repeat(args, prepare, lambda env, leads: leads.assign_partner(),
           lambda env, leads: {
               "leads": len(leads),
               "assigned": env["crm.lead"].search_count([("id", "in", leads.ids),
                                                         ("partner_assigned_id", "!=", False)]),
               "distinct_partners": len(leads.mapped("partner_assigned_id")),
           })


def phase_floor(args):
    """The floor: the least work that yields the same rows, as one SQL statement. The nearest-first
    candidate search through the GiST index over coordinates (rings, eligibility, capacity, declines), a
    weighted random pick per lead (exponential sampling), the UPDATE and the chatter line (one INSERT ...
    SELECT): no round-robin memory, no salesperson, no ORM."""
    from odoo.tools import SQL

    def update(env, leads):
        env.cr.execute("SET LOCAL jit = off")
        env.cr.execute(SQL(
            """WITH pick AS (
                   SELECT DISTINCT ON (candidate.lead_id) candidate.lead_id, kept.partner_id, kept.distance
                     FROM (%(candidates)s) candidate
                    CROSS JOIN LATERAL unnest(candidate.partner_ids, candidate.distances) AS kept(partner_id, distance)
                     JOIN res_partner reseller ON reseller.id = kept.partner_id
                    ORDER BY candidate.lead_id, -ln(1 - random()) / reseller.partner_weight
               ), moved AS (
                   UPDATE crm_lead l SET partner_assigned_id = pick.partner_id, date_partner_assign = now()::date
                     FROM pick WHERE l.id = pick.lead_id
                   RETURNING l.id, pick.partner_id, pick.distance
               )
               INSERT INTO mail_message (model, res_id, body, author_id, message_type, subtype_id, is_internal,
                                         date, create_uid, create_date, write_uid, write_date)
               SELECT 'crm.lead', moved.id,
                      '<p>Assigned to reseller ' || p.name || ' (' || round(moved.distance::numeric, 1)
                      || ' km)</p>', %(author)s, 'notification', %(note)s, TRUE, now(), %(uid)s, now(),
                      %(uid)s, now()
                 FROM moved JOIN res_partner p ON p.id = moved.partner_id""",
            candidates=leads._assign_partner_candidates_query(indexed=True),
            author=env.user.partner_id.id, note=env.ref("mail.mt_note").id, uid=env.uid,
        ))

    repeat(args, lambda env: unassigned_bench_leads(env, args.limit), update,
           lambda env, leads: {"leads": len(leads)})


def phase_jit(args):
    """The assignment's candidate search with PostgreSQL's JIT on (its default) and off (as the add-on runs
    it): planning + execution time and JIT compilation time, from EXPLAIN ANALYZE."""
    from odoo.tools import SQL

    registry, make = odoo_env(args.conf, args.db)
    runs = []
    for _ in range(args.reps + 1):
        with registry.cursor() as cr:
            env = make(cr)
            query = unassigned_bench_leads(env, args.limit)._assign_partner_candidates_query(indexed=True)
            run = {}
            for jit in ("on", "off"):
                cr.execute(SQL("SELECT set_config('jit', %s, true)", jit))
                cr.execute(SQL("EXPLAIN (ANALYZE, FORMAT JSON) %s", query))
                plan = cr.fetchone()[0][0]
                run[jit] = {"seconds": (plan["Planning Time"] + plan["Execution Time"]) / 1000,
                            "jit_seconds": plan.get("JIT", {}).get("Timing", {}).get("Total", 0) / 1000,
                            "cost": plan["Plan"]["Total Cost"]}
            cr.execute("SELECT current_setting('jit_above_cost')::float8")
            run["threshold"] = cr.fetchone()[0]
            runs.append(run)
            cr.rollback()
    print(json.dumps(runs[1:]))


def phase_tiers(args):
    """Tier recompute of every active partnership (ours only), where every level below the top one changes:
    all obligations are lowered to nothing first (rolled back with the run), so each partnership not yet
    at the top is promoted: history rows, chatter messages and mails for each."""
    def prepare(env):
        env["partner.level.parameter"].search([]).write({"target": 0})
        return env["partner.partnership"].search([("active", "=", True)])

    repeat(args, prepare, lambda env, partnerships: getattr(partnerships, args.tier_method)(),
           lambda env, partnerships: {
               "partnerships": len(partnerships),
               "changed": env["partner.partnership.level.history"].search_count(
                   [("partnership_id", "in", partnerships.ids), ("reason", "=", "promotion")]),
           })


def phase_win(args):
    """Win the bench leads as opportunities (the first --limit of them), 100 at a time. Ours: each was
    brought by a reseller whose group has an 'opportunity won' offer, so winning it creates a reward; Odoo's:
    the same wins, no rewards. Both with mail tracking as users run it."""
    def prepare(env):
        leads = unassigned_bench_leads(env, args.limit)
        values = {"type": "opportunity"}
        if "partner.offer" in env:
            group = env["partner.group"].create({
                "name": "Bench referrers", "type_id": env["partner.type"].search([], limit=1).id,
                "grade_id": env["res.partner.grade"].search([], limit=1).id,
            })
            env["partner.offer"].create({"name": "Bench win", "group_id": group.id, "trigger": "opportunity_won",
                                         "reward_type": "percent", "percent": 5})
            referrer = env["res.partner"].search([("name", "=like", "Reseller %")], limit=1)
            values.update(referral_group_id=group.id, referral_partner_id=referrer.id)
        leads.with_context(tracking_disable=True).write(values)
        return leads

    def win(env, leads):
        # In batches of 100, as users and automations win them: Odoo's action_set_won looks up the won
        # stage of the whole recordset for every lead, so one call over 10,000 leads is quadratic (both sides).
        for start in range(0, len(leads), 100):
            leads[start:start + 100].action_set_won()

    repeat(args, prepare, win, lambda env, leads: {
        "leads": len(leads),
        "won": env["crm.lead"].search_count([("id", "in", leads.ids), ("won_status", "=", "won")]),
        "rewards": env["partner.reward"].search_count([("lead_id", "in", leads.ids)])
        if "partner.reward" in env else 0,
    })


def phase_answer(args):
    """The time-to-answer scheduled action over a backlog: the first --limit bench leads assigned to
    resellers long ago, none answered; one call takes every one back and assigns it again (ours only)."""
    def prepare(env):
        leads = unassigned_bench_leads(env, args.limit)
        resellers = env["res.partner"].search([("name", "=like", "Reseller %")], limit=50).ids
        env.cr.execute(
            """UPDATE crm_lead SET partner_assigned_id = (%s::int[])[1 + id %% %s],
                      date_partner_assign = now()::date - 30,
                      date_partner_answer_due = now() - interval '1 day', date_partner_answer_remind = NULL
                WHERE id = ANY(%s)""", (resellers, len(resellers), leads.ids))
        env.invalidate_all()
        return leads

    repeat(args, prepare, lambda env, leads: env["crm.lead"]._cron_partner_answer_deadline(),
           lambda env, leads: {
               "leads": len(leads),
               "taken_back": env["crm.lead"].search_count([("id", "in", leads.ids),
                                                            ("partner_declined_ids", "!=", False)]),
           })


PHASES = {"generate": phase_generate, "assign": phase_assign, "floor": phase_floor, "jit": phase_jit,
          "tiers": phase_tiers,
          "win": phase_win, "answer": phase_answer}


# ---------------------------------------------------------------------------------------- orchestration
class Bench:
    def __init__(self, args):
        self.args = args
        self.rt = bootstrap.Runtime()
        self.rt.write_conf()
        self.results = []
        self.db = {side: "%s_%s" % (args.db_prefix, side) for side in SIDES}
        args.scaling_base = None

    def log(self, msg):
        print("==> " + msg, flush=True)

    def phase(self, name, side, **extra):
        cmd = [sys.executable, __file__, "phase", name, "--conf", self.rt.conf, "--db", self.db[side],
               "--reps", str(extra.pop("reps", self.args.reps))]
        for key, value in extra.items():
            cmd += ["--%s" % key.replace("_", "-"), str(value)]
        proc = subprocess.run(cmd, env=self.rt.odoo_env(), capture_output=True, text=True)
        if proc.returncode:
            raise SystemExit("phase %s on %s failed:\n%s" % (name, side, proc.stderr[-3000:]))
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def alternate(self, phases, reps):
        """Run ``phases`` [(name, side, extra)] in turns: each in its own process, warmed up once (one after
        the other), then one run of each per round, ``reps`` rounds, so that a slower spell of the machine
        weighs on every side alike. Returns the runs of each phase, in the order given."""
        with contextlib.ExitStack() as stack:
            procs = []
            for name, side, extra in phases:
                cmd = [sys.executable, __file__, "phase", name, "--conf", self.rt.conf, "--db", self.db[side],
                       "--paced", "1"]
                for key, value in extra.items():
                    cmd += ["--%s" % key.replace("_", "-"), str(value)]
                log = stack.enter_context(tempfile.TemporaryFile("w+"))
                # leaving the stack closes its stdin (the phase then ends) and waits for it
                proc = stack.enter_context(subprocess.Popen(
                    cmd, env=self.rt.odoo_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                    text=True))
                procs.append((proc, log, name, side))
                self._paced_line(procs[-1], "ready")
            runs = [[] for _ in phases]
            for _round in range(reps):
                for index, entry in enumerate(procs):
                    entry[0].stdin.write("run\n")
                    entry[0].stdin.flush()
                    runs[index].append(json.loads(self._paced_line(entry, "{")))
            return runs

    @staticmethod
    def _paced_line(entry, start):
        """The next line of a paced phase starting with ``start`` (other output is skipped)."""
        proc, log, name, side = entry
        for line in proc.stdout:
            if line.startswith(start):
                return line
        proc.wait()
        log.seek(0)
        raise SystemExit("phase %s on %s failed:\n%s" % (name, side, log.read()[-3000:]))

    def ensure_db(self, side):
        db, key = self.db[side], dataset_key(self.args)
        if self.rt.db_exists(db) and not self.args.rebuild:
            rows = self.rt.psql(db, "SELECT value FROM ir_config_parameter "
                                    "WHERE key = 'partner_program.bench_dataset'")
            if rows and rows[0][0] == key:
                if side == "ours":  # the same data, measured with the code of this checkout
                    self.log("updating %s in %s" % (SIDES[side], db))
                    self.rt.odoo("-c", self.rt.conf, "-d", db, "-u", SIDES[side], "--stop-after-init",
                                 "--log-level=warn", "--no-http", bootstrap.QUIET_WARNINGS)
                self.analyze(db)
                return
        self.rt.drop_db(db)
        # Installing the modules is the slow part: done once into PREFIX_SIDE_base, copied for each dataset.
        base = "%s_base" % db if not self.args.scaling_base else self.args.scaling_base % side
        if not self.rt.db_exists(base):
            self.log("building %s: %s without demo data" % (base, SIDES[side]))
            self.rt.odoo("-c", self.rt.conf, "-d", base, "-i", SIDES[side], "--stop-after-init", "--without-demo",
                         "--log-level=warn", "--no-http", bootstrap.QUIET_WARNINGS)
        self.log("copying %s to %s" % (base, db))
        self.rt.odoo("db", "-c", self.rt.conf, "duplicate", base, db, quiet=True, stderr=subprocess.DEVNULL)
        if side == "ours":  # the code of this checkout
            self.rt.odoo("-c", self.rt.conf, "-d", db, "-u", SIDES[side], "--stop-after-init",
                         "--log-level=warn", "--no-http", bootstrap.QUIET_WARNINGS)
        self.log("generating the synthetic data in %s (seed %s)" % (db, self.args.seed))
        gen = {"resellers": self.args.resellers, "leads": self.args.leads, "directory": self.args.directory,
               "held": self.args.held, "seed": self.args.seed, "partnerships": self.args.partnerships, "key": key}
        self.phase("generate", side, reps=1, **gen)
        self.analyze(db)

    def analyze(self, db):
        """Fresh planner statistics and visibility maps (for index-only scans), the same way on both sides
        (autovacuum may not have run yet)."""
        self.rt.psql(db, "VACUUM ANALYZE")

    def record(self, what, side, unit, values, extra=""):
        self.results.append({"what": what, "side": side, "unit": unit, "summary": summary(values), "extra": extra})

    def run_assign(self, label=None, limit=0, odoo=True):
        """Assignment of the unassigned leads (all, or the first ``limit``): ours, Odoo's with tracking
        (unless ``odoo`` is false), Odoo's without (not in the scaling table), the floor."""
        label = label or "assign %d leads" % self.args.leads
        reps = self.args.reps
        sides = [("ours", 1, label)] + ([("odoo", 1, label)] if odoo else [])
        if not limit:
            sides.append(("odoo", 0, "%s, Odoo with mail tracking off" % label))
        if not limit:
            sides.append(("ours", 1, "%s, routing by performance on (ours)" % label))
        sides = [(side, tracking, what) for side, tracking, what in sides
                 if side == "ours" or self.args.odoo_reps]
        self.log("%s: %s and the floor, each warmed up, then %d rounds alternating between them" % (
            label, ", ".join("%s (tracking %s)" % (SIDES[side], "on" if tracking else "off")
                             for side, tracking, _what in sides), reps))
        phases = [("assign", side, {"tracking": tracking, "limit": limit,
                                    "routed": int("routing by performance" in what)})
                  for side, tracking, what in sides]
        phases.append(("floor", "ours", {"limit": limit}))
        measured = self.alternate(phases, reps)
        for (side, _tracking, what), runs in zip(sides, measured[:-1], strict=True):
            extra = "%d queries; %d/%d leads assigned to %d distinct resellers" % (
                statistics.median(r["queries"] for r in runs), runs[0]["assigned"], runs[0]["leads"],
                runs[0]["distinct_partners"])
            self.record(what, side, "s", [r["seconds"] for r in runs], extra)
        self.record(label + FLOOR_SUFFIX, "ours", "s", [r["seconds"] for r in measured[-1]],
                    "1 statement: nearest-first candidates through the GiST index, weighted random pick, UPDATE "
                    "and chatter line by INSERT ... SELECT; no round-robin memory, salesperson or ORM")

    def run_jit(self):
        """The JIT cliff, measured: the candidate search of every bench lead with JIT on and off (ours)."""
        self.log("candidate search with JIT on and off")
        runs = self.phase("jit", "ours")
        for jit, what in (("on", "JIT on, PostgreSQL's default"), ("off", "JIT off, as the add-on runs it")):
            self.record("candidate search for %d leads, %s" % (self.args.leads, what), "ours", "s",
                        [r[jit]["seconds"] for r in runs],
                        "plan cost %.0f (JIT above %.0f); JIT compilation %.2f s" % (
                            runs[0][jit]["cost"], runs[0]["threshold"],
                            statistics.median(r[jit]["jit_seconds"] for r in runs)))

    def run_scaling(self):
        """The assignment over a grid of sizes: one pair of databases per number of resellers, holding the
        largest number of leads; smaller sizes assign the first N of them."""
        base = self.args
        sizes = sorted(int(v) for v in base.scaling_leads.split(","))
        for resellers in [int(v) for v in base.scaling_resellers.split(",")]:
            self.args = argparse.Namespace(**dict(vars(base), leads=sizes[-1], resellers=resellers,
                                                  directory=resellers, held=0, partnerships=0))
            self.db = {side: "%s_scale_%s" % (base.db_prefix, side) for side in SIDES}
            self.args.scaling_base = "%s_%%s_base" % base.db_prefix
            with_odoo = self.args.odoo_reps and sizes[0] <= base.scaling_odoo_leads
            for side in ("ours", "odoo") if with_odoo else ("ours",):
                self.ensure_db(side)
            for leads in sizes:
                self.run_assign("assign %d leads over %d resellers" % (leads, resellers), limit=leads,
                                odoo=with_odoo and leads <= base.scaling_odoo_leads)
        self.args = base
        self.db = {side: "%s_%s" % (base.db_prefix, side) for side in SIDES}

    def run_tiers(self):
        if not self.rt.psql(self.db["ours"], "SELECT 1 FROM ir_model WHERE model = 'partner.partnership'"):
            self.log("tier recompute: partner programs are not in this version, skipped")
            return
        self.log("tier recompute of the active partnerships")
        runs = self.phase("tiers", "ours", reps=self.args.tier_reps, tier_method=self.args.tier_method)
        self.record("tier recompute of %d partnerships, %d levels changed" % (
                        runs[0]["partnerships"], runs[0]["changed"]), "ours", "s",
                    [r["seconds"] for r in runs], "%d queries; a history row, a chatter message and a queued "
                    "mail per change" % statistics.median(r["queries"] for r in runs))

    def run_win(self):
        """Winning the opportunities: ours creates a reward per win, Odoo's creates none; same tracking."""
        what = "win %d opportunities that earn a reward" % self.args.leads
        self.log("%s: both sides warmed up, then %d rounds alternating between them" % (what, self.args.reps))
        measured = self.alternate([("win", side, {"tracking": 1}) for side in ("ours", "odoo")], self.args.reps)
        for side, runs in zip(("ours", "odoo"), measured, strict=True):
            self.record(what, side, "s", [r["seconds"] for r in runs], "%d queries; %d won, %d rewards" % (
                statistics.median(r["queries"] for r in runs), runs[0]["won"], runs[0]["rewards"]))

    def run_answer(self):
        """The time-to-answer scheduled action over a backlog of every bench lead (ours only)."""
        self.log("time-to-answer backlog of %d leads" % self.args.leads)
        runs = self.phase("answer", "ours", tracking=1)
        seconds = statistics.median(r["seconds"] for r in runs)
        self.record("time to answer: %d overdue leads taken back and re-assigned, one call" % runs[0]["leads"],
                    "ours", "s", [r["seconds"] for r in runs],
                    "%d queries; %d taken back; %.0f leads/s, so 100000 in about %.0f min of cron time" % (
                        statistics.median(r["queries"] for r in runs), runs[0]["taken_back"],
                        runs[0]["leads"] / seconds, 100000 / (runs[0]["leads"] / seconds) / 60))

    def run_rpc(self):
        """What an integrator does: assign_partner on a batch of 600 leads over 6 resellers through
        JSON-RPC, on both servers, alternating; the leads are unassigned again by SQL between calls."""
        base = self.args
        self.args = argparse.Namespace(**dict(vars(base), leads=600, resellers=6, directory=6, held=0,
                                              partnerships=0))
        self.db = {side: "%s_rpc_%s" % (base.db_prefix, side) for side in SIDES}
        self.args.scaling_base = "%s_%%s_base" % base.db_prefix
        try:
            for side in SIDES:
                self.ensure_db(side)
            ids = {side: [row[0] for row in self.rt.psql(self.db[side], "SELECT id FROM crm_lead WHERE name "
                                                         "LIKE 'Bench lead%' ORDER BY id")] for side in SIDES}
            servers = {side: self.serve(side) for side in SIDES}
            try:
                times = {side: [] for side in SIDES}
                assigned = {}
                for index in range(base.reps + 1):
                    for side in (("ours", "odoo") if index % 2 == 0 else ("odoo", "ours")):
                        self.rt.psql(self.db[side], "UPDATE crm_lead SET partner_assigned_id = NULL, "
                                     "date_partner_assign = NULL WHERE name LIKE 'Bench lead%'")
                        start = time.perf_counter()
                        self.jsonrpc(servers[side][1], self.db[side], "crm.lead", "assign_partner", [ids[side]])
                        if index:  # the first round warms both servers up
                            times[side].append(time.perf_counter() - start)
                        assigned[side] = self.rt.psql(self.db[side], "SELECT count(*), count(DISTINCT "
                                                      "partner_assigned_id) FROM crm_lead WHERE name LIKE "
                                                      "'Bench lead%' AND partner_assigned_id IS NOT NULL")[0]
                for side in SIDES:
                    self.record("assign 600 leads over 6 resellers, one JSON-RPC call", side, "s", times[side],
                                "%d/600 assigned to %d distinct resellers" % tuple(assigned[side]))
            finally:
                stop_servers([proc for proc, _base in servers.values()])
        finally:
            self.args = base
            self.db = {side: "%s_%s" % (base.db_prefix, side) for side in SIDES}

    def jsonrpc(self, base, db, model, method, args):
        def call(service, meth, *params):
            body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1,
                               "params": {"service": service, "method": meth, "args": list(params)}}).encode()
            req = urllib.request.Request(base + "/jsonrpc", body, {"Content-Type": "application/json"})
            reply = json.loads(urllib.request.urlopen(req, timeout=600).read())
            if reply.get("error"):
                raise SystemExit("JSON-RPC %s.%s: %s" % (model, method, reply["error"]))
            return reply["result"]
        uid = call("common", "login", db, "admin", "admin")
        return call("object", "execute_kw", db, uid, "admin", model, method, args)

    def serve(self, side):
        """(process, base URL) of a server on this side's database, once it answers."""
        return start_server(self.rt, self.db[side], ["--workers", str(self.args.workers), "--limit-time-real", "600"])

    def load(self, base, path, login=None, requests=None):
        cmd = [sys.executable, os.path.join(HERE, "load.py"), "--base", base, "--path", path,
               "--requests", str(requests or self.args.requests), "--concurrency", str(self.args.concurrency)]
        if login:
            cmd += ["--login", login, "--password", login]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode:
            return {"latencies": [], "statuses": {"client error": proc.stderr.strip()[-200:]}, "wall": 0}
        return json.loads(proc.stdout)

    def run_http(self):
        country = self.rt.psql(self.db["ours"], "SELECT id, name->>'en_US' FROM res_country WHERE code = 'FR'")[0]
        slug = "%s-%d" % (country[1].lower(), country[0])
        my_leads = "/my/leads (reseller with %d leads)" % self.args.held
        # (label, path, login, floor): the floor is the least any page of that kind costs on our server, measured
        # in the same rounds: for /my/leads, a portal page with the same layout and no content of its own
        pages = [("/partners", "/partners", None, None),
                 ("/partners/country/%s" % slug, "/partners/country/" + slug, None, None),
                 (my_leads, "/my/leads", RESELLER_LOGIN, (my_leads + PAGE_FLOOR_SUFFIX, "/my/security"))]
        # the assignment runs before left dead rows behind (rolled back) and pages no longer all-visible, which
        # index-only scans then read from the table: vacuumed again, both sides alike, as autovacuum would
        for side in SIDES:
            self.analyze(self.db[side])
        servers = {}
        try:
            for side in ("ours", "odoo"):
                servers[side] = self.serve(side)
            rounds = max(1, self.args.http_rounds)
            for label, path, login, floor in pages:
                self.log("%s: %d requests per side, %d at a time, in %d alternating rounds%s" % (
                    path, self.args.requests, self.args.concurrency, rounds,
                    ", with %s on ours as its floor" % floor[1] if floor else ""))
                # (what, side, path): the two sides, then the floor; each round starts one further along, so
                # that load swings hit them all alike
                runs = [(label, "ours", path), (label, "odoo", path)]
                runs += [(floor[0], "ours", floor[1])] if floor else []
                outs = {(what, side): [] for what, side, _path in runs}
                for index in range(rounds):
                    for what, side, run_path in runs[index % len(runs):] + runs[:index % len(runs)]:
                        outs[what, side].append(self.load(servers[side][1], run_path, login,
                                                          requests=max(1, self.args.requests // rounds)))
                for (what, side), parts in outs.items():
                    latencies = [v for out in parts for v in out["latencies"]]
                    statuses = {}
                    for out in parts:
                        for key, count in out["statuses"].items():
                            statuses[key] = statuses.get(key, 0) + count
                    wall = sum(out["wall"] for out in parts)
                    rate = len(latencies) / wall if wall else 0
                    self.record(what, side, "ms", [v * 1000 for v in latencies], "%s; %.1f req/s" % (
                        ", ".join("%s x%s" % kv for kv in sorted(statuses.items())), rate))
        finally:
            stop_servers([proc for proc, _base in servers.values()])

    def table(self):
        rows = ["| measure | ours (partner_program) | Odoo (website_crm_partner_assign) | ours/Odoo | notes |",
                "|---|---|---|---|---|"]
        by_what = {}
        for result in self.results:
            by_what.setdefault(result["what"], {})[result["side"]] = result

        def cell(result):
            if not result or not result["summary"].get("n"):
                return "-"
            s, unit = result["summary"], result["unit"]
            if unit == "s":
                return "%.2f s (min %.2f, max %.2f, n=%d)" % (s["median"], s["min"], s["max"], s["n"])
            return "p50 %.0f ms, p95 %.0f ms (n=%d)" % (s["p50"], s["p95"], s["n"])

        for what, sides in by_what.items():
            ours, odoo = sides.get("ours"), sides.get("odoo")
            ratio = "-"
            if ours and odoo and ours["summary"].get("n") and odoo["summary"].get("n"):
                key = "median" if ours["unit"] == "s" else "p95"
                ratio = "%.3f" % (ours["summary"][key] / odoo["summary"][key]) if odoo["summary"][key] else "-"
            notes = "; ".join("%s: %s" % (side, r["extra"]) for side, r in sides.items() if r["extra"])
            floor = next((suffix for suffix in (FLOOR_SUFFIX, PAGE_FLOOR_SUFFIX) if what.endswith(suffix)), None)
            if floor:
                # the best ratio any implementation yielding these rows (or this page) could reach
                base = by_what.get(what[:-len(floor)], {}).get("odoo")
                if ours and base and base["summary"].get("n"):
                    key = "median" if ours["unit"] == "s" else "p95"
                    notes = "floor/Odoo %.3f; %s" % (ours["summary"][key] / base["summary"][key], notes)
            rows.append("| %s | %s | %s | %s | %s |" % (what, cell(ours), cell(odoo), ratio, notes))
        if self.args.keep:
            rows[2:] = merge_rows(self.previous_results(), rows[2:])
        return "\n".join(rows)

    @staticmethod
    def previous_results():
        path = os.path.join(HERE, "RESULTS.md")
        if not os.path.exists(path):
            return ""
        with open(path, encoding="utf-8") as fh:
            return fh.read()

    def machine(self):
        cpu = "?"
        if os.path.exists("/proc/cpuinfo"):
            with open("/proc/cpuinfo", encoding="utf-8") as fh:
                models = [line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")]
            cpu = models[0] if models else cpu
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
        pg = self.rt.psql("postgres", "SHOW server_version")[0][0]
        return "%d cores (%s), %.0f GiB RAM, %s, Python %s, PostgreSQL %s" % (
            os.cpu_count(), cpu, mem, platform.platform(), platform.python_version(), pg)

    def main(self):
        wanted = set(self.args.only.split(","))
        if wanted - {""}:
            for side in ("ours", "odoo"):
                self.ensure_db(side)
        if "assign" in wanted:
            self.run_assign()
        if "jit" in wanted:
            self.run_jit()
        if "tiers" in wanted:
            self.run_tiers()
        if "win" in wanted:
            self.run_win()
        if "answer" in wanted:
            self.run_answer()
        if "http" in wanted:
            self.run_http()
        if "rpc" in wanted:
            self.run_rpc()
        if self.args.scaling:  # last: the table's first row stays the main assignment
            self.run_scaling()
        a = self.args
        text = "\n".join([
            "# Benchmark results", "",
            "Measured by `make bench` on %s." % time.strftime("%Y-%m-%d"), "",
            "Machine: %s." % self.machine(), "",
            "Data (seed %d, identical on both sides): %d resellers with coordinates in %d countries, %d leads "
            "with coordinates to assign, %d published partners in the directory, one reseller holding %d "
            "assigned leads. Both sides measured alike: statistics refreshed (VACUUM ANALYZE), one warm-up run, "
            "then the median of %d run(s), each rolled back; the assignment runs of both sides and the floor, "
            "and the wins of both sides, "
            "in rounds, one run of each per round; Odoo's assignment with mail tracking on, as users "
            "run it (tracking off as a second row). HTTP: %d requests per page and side, %d at a time, in %d "
            "rounds alternating between the two servers (and, for /my/leads, its floor page), each with %d "
            "workers. Ratio: ours/Odoo (median; "
            "p95 for pages)." % (a.seed, a.resellers, len(COUNTRIES), a.leads, a.directory, a.held, a.reps,
                                 a.requests, a.concurrency, a.http_rounds, a.workers), "",
            self.table(), "",
        ])
        if a.scaling:
            text += ("\nScaling rows: %s resellers (as many published partners), leads among %s; Odoo measured up "
                     "to %d leads; the tracking-off row is not repeated there.\n" % (
                         a.scaling_resellers, a.scaling_leads, a.scaling_odoo_leads))
        elif a.keep:  # the scaling rows kept, and what they are
            previous = self.previous_results().split("\n## ")[0]
            text += "".join("\n" + line + "\n" for line in previous.splitlines() if line.startswith("Scaling rows: "))
        print(text)
        if not self.args.no_write:
            path = os.path.join(HERE, "RESULTS.md")
            # sections written by other tools (the soak run) stay
            kept = ""
            if os.path.exists(path):
                with open(path, encoding="utf-8") as fh:
                    old = fh.read()
                kept = old[old.index("\n## "):] if "\n## " in old else ""
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text + kept)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resellers", type=int, default=1000)
    parser.add_argument("--leads", type=int, default=10000)
    parser.add_argument("--directory", type=int, default=10000)
    parser.add_argument("--held", type=int, default=5000)
    parser.add_argument("--partnerships", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--odoo-reps", type=int, default=1, help="0 skips Odoo's (slow) assignment; else Odoo "
                        "runs as many repetitions as ours (--reps)")
    parser.add_argument("--db-prefix", default="pp_bench", help="bench databases: PREFIX_ours, PREFIX_odoo")
    parser.add_argument("--http-rounds", type=int, default=4, help="HTTP requests split in rounds alternating "
                        "between the two servers")
    parser.add_argument("--scaling", action="store_true", help="assignment over --scaling-leads x "
                        "--scaling-resellers (databases PREFIX_scale_ours/odoo, rebuilt per size)")
    parser.add_argument("--scaling-leads", default="1000,3000,10000,30000")
    parser.add_argument("--scaling-resellers", default="100,1000,10000")
    parser.add_argument("--scaling-odoo-leads", type=int, default=3000, help="Odoo's assignment is measured in "
                        "the scaling grid up to this many leads (its larger sizes take minutes each)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="assign,jit,tiers,win,answer,http,rpc")
    parser.add_argument("--tier-method", default="_recompute_levels")
    parser.add_argument("--tier-reps", type=int, default=1, help="runs of the tier recompute (after a warm-up)")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the rows of RESULTS.md this run does not "
                        "measure (marked with their date), e.g. with --only rpc")
    parser.add_argument("--no-write", action="store_true", help="print the table without writing RESULTS.md")
    return parser.parse_args(argv)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "phase":
        name = sys.argv[2]
        parser = argparse.ArgumentParser()
        for opt in ("conf", "db", "key", "tier-method"):
            parser.add_argument("--" + opt)
        for opt in ("reps", "resellers", "leads", "directory", "held", "seed", "partnerships", "tracking", "limit",
                    "routed", "paced"):
            parser.add_argument("--" + opt, type=int, default=0)
        PHASES[name](parser.parse_args(sys.argv[3:]))
    else:
        Bench(parse(sys.argv[1:])).main()

"""Soak test of the reseller portal: `make soak` (ARGS="--seconds 120 --resellers 20 --workers 4").

With ``--cluster``: two Odoo servers, a streaming replica and all the portal's traffic (benchmarks/cluster.py).

Starts the demo server the way `make run` does, with workers, on its own port on loopback; 20 simulated
resellers then list their leads, open them and answer "I'm interested" or "I'm not interested" (declined
leads are re-assigned to the next reseller) for a bounded time. It reports throughput, latencies and
errors (any 5xx or connection error is a failure; 4xx answers such as "already answered" are expected),
then checks in the database that no lead was lost or ended up held by a reseller that declined it, and
that no lead was accepted twice. Exits non-zero when a check fails.
"""
import argparse
import http.cookiejar
import json
import os
import random
import re
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


def phase_seed(conf, db, resellers, leads_per_reseller, run_tag):
    """Soak resellers (idempotent) and a fresh batch of leads assigned to them, tagged with ``run_tag``."""
    import odoo
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", conf, "-d", db, "--log-level=warn", "--log-handler=py.warnings:ERROR"])
    with Registry(db).cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True})
        print(json.dumps(seed(env, resellers, leads_per_reseller, run_tag)[0]))


def seed(env, resellers, leads_per_reseller, run_tag):
    """The soak resellers (res.partner companies) and their new leads; returns ({tag_id, leads,
    activity_type_id}, the companies)."""
    env.company.partner_reassign_auto = True
    grade = env.ref("partnership.res_partner_grade_data_silver")
    france = env.ref("base.fr")
    partners = env["res.partner"]
    for index in range(resellers):
        login = "soak_%02d" % index
        user = env["res.users"].search([("login", "=", login)])
        if not user:
            company = env["res.partner"].create({
                "name": "Soak Reseller %02d" % index, "is_company": True, "grade_id": grade.id,
                "country_id": france.id, "partner_latitude": 45.0 + index * 0.01, "partner_longitude": 4.8,
                "email": "%s@example.com" % login,
            })
            contact = env["res.partner"].create({"name": "Soak User %02d" % index, "parent_id": company.id,
                                                 "email": "%s.user@example.com" % login})
            user = env["res.users"].with_context(no_reset_password=True).create({
                "name": contact.name, "login": login, "password": login, "partner_id": contact.id,
                "group_ids": [(6, 0, [env.ref("base.group_portal").id])],
            })
        partners |= user.partner_id.commercial_partner_id
    # Leads of earlier runs would sit in the same resellers' lists and blur this run's counts.
    old_tags = env["crm.tag"].search([("name", "=like", "soak %")])
    env["crm.lead"].with_context(active_test=False).search([("tag_ids", "in", old_tags.ids)]).unlink()
    old_tags.unlink()
    tag = env["crm.tag"].create({"name": run_tag})
    env["crm.lead"].create([{
        "name": "%s lead %d-%d" % (run_tag, partner.id, n), "type": "lead", "country_id": france.id,
        "partner_latitude": 45.0, "partner_longitude": 4.8, "partner_assigned_id": partner.id,
        "tag_ids": [(4, tag.id)], "email_from": "customer%d@example.com" % n,
    } for partner in partners for n in range(leads_per_reseller)])
    activity = env.ref("mail.mail_activity_data_call")
    return {"tag_id": tag.id, "leads": resellers * leads_per_reseller, "activity_type_id": activity.id}, partners


CHECKS = """
SELECT
  (SELECT count(*) FROM crm_lead l JOIN crm_tag_rel r ON r.lead_id = l.id WHERE r.tag_id = %(tag)s) AS leads,
  (SELECT count(*) FROM crm_lead l JOIN crm_tag_rel r ON r.lead_id = l.id WHERE r.tag_id = %(tag)s
      AND NOT l.active) AS archived,
  (SELECT count(*) FROM crm_lead l JOIN crm_tag_rel r ON r.lead_id = l.id
     JOIN crm_lead_declined_partner d ON d.lead_id = l.id AND d.partner_id = l.partner_assigned_id
    WHERE r.tag_id = %(tag)s) AS held_by_a_decliner,
  (SELECT count(*) FROM crm_lead l JOIN crm_tag_rel r ON r.lead_id = l.id
    WHERE r.tag_id = %(tag)s AND l.type = 'opportunity' AND l.partner_assigned_id IS NULL) AS accepted_unassigned,
  (SELECT count(*) FROM crm_lead l JOIN crm_tag_rel r ON r.lead_id = l.id
    WHERE r.tag_id = %(tag)s AND l.type = 'opportunity') AS accepted,
  (SELECT count(*) FROM (SELECT d.lead_id FROM crm_lead_declined_partner d
                           JOIN crm_tag_rel r ON r.lead_id = d.lead_id AND r.tag_id = %(tag)s) x) AS declines
"""


class Reseller(threading.Thread):
    def __init__(self, base, login, deadline, activity_type_id, stats, lock):
        super().__init__()
        self.base, self.login, self.deadline = base, login, deadline
        self.activity_type_id, self.stats, self.lock = activity_type_id, stats, lock
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.rnd = random.Random(login)

    def call(self, kind, path, data=None):
        start = time.perf_counter()
        body, status, landed = "", None, None
        try:
            response = self.opener.open(self.base + path, data=urllib.parse.urlencode(data).encode() if data else None,
                                        timeout=60)
            body, status = response.read().decode(), response.status
            landed = urllib.parse.urlsplit(response.geturl()).path
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError as error:
            status = "error: %s" % type(error).__name__
        elapsed = time.perf_counter() - start
        with self.lock:
            self.stats.setdefault(kind, []).append((status, elapsed))
            if data and landed:
                self.stats.setdefault("landed", {}).setdefault((kind, re.sub(r"\d+", "<id>", landed)), 0)
                self.stats["landed"][(kind, re.sub(r"\d+", "<id>", landed))] += 1
        return status, body

    def run(self):
        status, page = self.call("login page", "/web/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.call("login", "/web/login", {"login": self.login, "password": self.login, "csrf_token": token})
        while time.time() < self.deadline:
            status, page = self.call("list", "/my/leads")
            ids = re.findall(r'href="/my/lead/(\d+)"', page)
            if not ids:
                time.sleep(0.5)
                continue
            lead_id = self.rnd.choice(ids)
            status, page = self.call("open", "/my/lead/%s" % lead_id)
            match = re.search(r'name="csrf_token" value="([^"]+)"', page)
            if status != 200 or not match:
                continue
            if self.rnd.random() < 0.5:
                self.call("interested", "/my/lead/%s/interested" % lead_id, {
                    "csrf_token": match.group(1), "activity_type_id": self.activity_type_id,
                    "activity_date_deadline": time.strftime("%Y-%m-%d", time.localtime(time.time() + 86400 * 3)),
                    "activity_summary": "Call the customer", "expected_revenue": "5000", "contacted": "1",
                })
            else:
                self.call("not interested", "/my/lead/%s/not_interested" % lead_id, {
                    "csrf_token": match.group(1), "comment": "Not our market", "contacted": "0",
                })


def serve(rt, db, workers, log_path=os.devnull):
    """The database served as `make run` does, with workers, on a free loopback port; yields its base URL."""
    return servers.serve(rt, db, ["--workers", str(workers)], log_path=log_path)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, help="duration of the traffic (default 120 s, 60 s with --cluster)")
    parser.add_argument("--resellers", type=int, default=20)
    parser.add_argument("--leads-per-reseller", type=int, default=30)
    parser.add_argument("--workers", type=int, help="workers of the server (default 4), of each server with "
                        "--cluster (default 2)")
    parser.add_argument("--cluster", action="store_true", help="two servers and a streaming replica, all the "
                        "portal's traffic and a manager; writes its section of RESULTS.md (see cluster.py)")
    parser.add_argument("--no-write", action="store_true", help="with --cluster: print without writing RESULTS.md")
    args = parser.parse_args(argv)
    if args.cluster:
        import cluster
        args.seconds = args.seconds or 60
        args.workers = args.workers or 2
        return cluster.main(args)
    args.seconds = args.seconds or 120
    args.workers = args.workers or 4
    rt = bootstrap.Runtime()
    rt.write_conf()
    db = rt.demo_db
    rt.ensure_demo_db()
    run_tag = "soak %s" % time.strftime("%Y-%m-%d %H:%M:%S")
    seed = subprocess.run([sys.executable, __file__, "seed", rt.conf, db, str(args.resellers),
                           str(args.leads_per_reseller), run_tag],
                          env=rt.odoo_env(), capture_output=True, text=True)
    if seed.returncode:
        raise SystemExit(seed.stderr[-3000:])
    seeded = json.loads(seed.stdout.strip().splitlines()[-1])

    log_path = os.path.join(rt.dir, "soak-server.log")
    with serve(rt, db, args.workers, log_path) as base:
        print("==> %d resellers, %d leads, %d s against %s (%d workers)" % (
            args.resellers, seeded["leads"], args.seconds, base, args.workers), flush=True)
        stats, lock = {}, threading.Lock()
        deadline = time.time() + args.seconds
        threads = [Reseller(base, "soak_%02d" % i, deadline, seeded["activity_type_id"], stats, lock)
                   for i in range(args.resellers)]
        start = time.time()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.time() - start

    rows = ["| request | count | 2xx/3xx | 4xx | 5xx or error | p50 ms | p95 ms |", "|---|---|---|---|---|---|---|"]
    failures = 0
    total = 0
    landed = stats.pop("landed", {})
    for kind, results in stats.items():
        codes = [s for s, _ in results]
        ok = sum(1 for s in codes if isinstance(s, int) and s < 400)
        client = sum(1 for s in codes if isinstance(s, int) and 400 <= s < 500)
        bad = len(codes) - ok - client
        failures += bad
        total += len(codes)
        times = sorted(t * 1000 for _, t in results)
        rows.append("| %s | %d | %d | %d | %d | %.0f | %.0f |" % (
            kind, len(codes), ok, client, bad, statistics.median(times), times[int(0.95 * (len(times) - 1))]))
    checks = rt.psql(db, CHECKS, {"tag": seeded["tag_id"]})[0]
    names = ("leads", "archived", "held_by_a_decliner", "accepted_unassigned", "accepted", "declines")
    check = dict(zip(names, checks, strict=True))
    problems = []
    if check["leads"] != seeded["leads"] or check["archived"]:
        problems.append("leads lost: %s" % check)
    if check["held_by_a_decliner"] or check["accepted_unassigned"]:
        problems.append("leads held by the wrong reseller: %s" % check)
    if failures:
        problems.append("%d requests failed with 5xx or a connection error" % failures)
    text = "\n".join([
        "## Soak: %d resellers on the portal for %d s (%d workers)" % (args.resellers, args.seconds, args.workers),
        "",
        "%d requests in %.0f s: %.1f requests/s; %d failed (5xx or connection error)." % (
            total, wall, total / wall, failures),
        "",
        *rows,
        "",
        "Database after the run: %d leads (none archived: %s), %d accepted, %d declines recorded, %d held by a "
        "reseller that declined them, %d accepted but unassigned." % (
            check["leads"], "yes" if not check["archived"] else "no", check["accepted"], check["declines"],
            check["held_by_a_decliner"], check["accepted_unassigned"]),
        "",
        "Where the answers landed: %s." % ", ".join(
            "%s -> %s: %d" % (kind, path, n) for (kind, path), n in sorted(landed.items())),
        "",
        "Result: %s" % ("; ".join(problems) if problems else "no lost lead, no lead held twice, no server error."),
        "",
    ])
    print(text)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "seed":
        phase_seed(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    else:
        sys.exit(main(sys.argv[1:]))

"""Switch a database from Odoo's Resellers (website_crm_partner_assign) to partner_program, keeping its data.

`make migrate-from-resellers DB=name` runs the four steps below on that database (back it up first):

1. save: the values both modules know, copied as JSON into a table of their own
   (``partner_program_resellers_backup``), since uninstalling Resellers drops its columns;
2. uninstall Resellers (Odoo's own uninstall);
3. install partner_program;
4. restore: the values written back onto the same partners and leads, Resellers' activations mapped to
   ours by name (unknown ones created), its tags mapped to ours, a weight that differed from the level's
   kept as a custom weight; then the backup table is dropped.

Standard library only; Odoo runs as subprocesses (``odoo shell``, ``odoo module``).
"""
import json
import subprocess

BACKUP = "partner_program_resellers_backup"

# Odoo shell code, run with ``env`` on the database.
SAVE = r"""
import json
Partner = env["res.partner"].with_context(active_test=False)
partners = Partner.search(["|", "|", "|", "|", ("grade_id", "!=", False), ("activation", "!=", False),
                           ("assigned_partner_id", "!=", False), ("date_partnership", "!=", False),
                           ("date_review_next", "!=", False)])
rows = [{
    "id": p.id, "activation": p.activation.name or False, "date_partnership": str(p.date_partnership or ""),
    "date_review": str(p.date_review or ""), "date_review_next": str(p.date_review_next or ""),
    "assigned_partner_id": p.assigned_partner_id.id, "partner_weight": p.partner_weight,
    "grade_weight": p.grade_id.partner_weight if p.grade_id else None,
    "partner_latitude": p.partner_latitude, "partner_longitude": p.partner_longitude,
} for p in partners]
leads = env["crm.lead"].with_context(active_test=False).search(
    ["|", "|", "|", ("partner_assigned_id", "!=", False), ("partner_declined_ids", "!=", False),
     ("partner_latitude", "!=", 0), ("partner_longitude", "!=", 0)])
tags = {}
for xmlid, ours in (("tag_portal_lead_partner_unavailable", "tag_no_partner_available"),
                    ("tag_portal_lead_is_spam", "tag_portal_lead_is_spam"),
                    ("tag_portal_lead_own_opp", "tag_registered_by_partner")):
    tag = env.ref("website_crm_partner_assign." + xmlid, raise_if_not_found=False)
    if tag:
        tags[ours] = env["crm.lead"].with_context(active_test=False).search([("tag_ids", "in", tag.ids)]).ids
lead_rows = [{
    "id": l.id, "partner_assigned_id": l.partner_assigned_id.id,
    "date_partner_assign": str(l.date_partner_assign or ""), "partner_declined_ids": l.partner_declined_ids.ids,
    "partner_latitude": l.partner_latitude, "partner_longitude": l.partner_longitude,
} for l in leads]
grades = {g.id: [g.partner_weight, g.is_published]
          for g in env["res.partner.grade"].with_context(active_test=False).search([])}
env.cr.execute("CREATE TABLE IF NOT EXISTS BACKUP_TABLE (kind varchar PRIMARY KEY, data jsonb)")
env.cr.execute("DELETE FROM BACKUP_TABLE")
for kind, data in (("partners", rows), ("leads", lead_rows), ("tags", tags), ("grades", grades)):
    env.cr.execute("INSERT INTO BACKUP_TABLE (kind, data) VALUES (%s, %s)", (kind, json.dumps(data)))
env.cr.commit()
print("RESULT " + json.dumps({"partners": len(rows), "leads": len(lead_rows)}))
""".replace("BACKUP_TABLE", BACKUP)

RESTORE = r"""
import json
env.cr.execute("SELECT kind, data FROM BACKUP_TABLE")
saved = dict(env.cr.fetchall())
Activation = env["res.partner.activation"].with_context(active_test=False)
activations = {a.name: a.id for a in Activation.search([])}
for row in saved.get("partners", []):
    name = row["activation"]
    if name and name not in activations:
        activations[name] = Activation.create({"name": name}).id
env.flush_all()
# Plain SQL: the values as they were, without the hooks a user's change triggers (a new assignment date,
# the reseller's salesperson, an answer deadline starting today, chatter noise).
for grade_id, (weight, published) in saved.get("grades", {}).items():
    env.cr.execute("UPDATE res_partner_grade SET partner_weight = %s, is_published = %s WHERE id = %s",
                   (weight, published, int(grade_id)))
for row in saved.get("partners", []):
    custom = row["grade_weight"] is not None and row["partner_weight"] != row["grade_weight"]
    env.cr.execute(
        '''UPDATE res_partner SET activation = %s, date_partnership = %s, date_review = %s, date_review_next = %s,
                  assigned_partner_id = %s, partner_latitude = %s, partner_longitude = %s,
                  partner_weight_manual = %s, partner_weight = %s
            WHERE id = %s''',
        (activations.get(row["activation"]), row["date_partnership"] or None, row["date_review"] or None,
         row["date_review_next"] or None, row["assigned_partner_id"] or None, row["partner_latitude"],
         row["partner_longitude"], custom, row["partner_weight"], row["id"]))
for row in saved.get("leads", []):
    env.cr.execute(
        '''UPDATE crm_lead SET partner_assigned_id = %s, date_partner_assign = %s, partner_latitude = %s,
                  partner_longitude = %s
            WHERE id = %s''',
        (row["partner_assigned_id"] or None, row["date_partner_assign"] or None, row["partner_latitude"],
         row["partner_longitude"], row["id"]))
    if row["partner_declined_ids"]:
        env.cr.execute(
            '''INSERT INTO crm_lead_declined_partner (lead_id, partner_id)
               SELECT %s, unnest(%s::int[]) ON CONFLICT DO NOTHING''', (row["id"], row["partner_declined_ids"]))
for ours, lead_ids in saved.get("tags", {}).items():
    if lead_ids:
        env.cr.execute(
            '''INSERT INTO crm_tag_rel (lead_id, tag_id) SELECT unnest(%s::int[]), %s ON CONFLICT DO NOTHING''',
            (lead_ids, env.ref("partner_program." + ours).id))
env.cr.execute("DROP TABLE BACKUP_TABLE")
env.invalidate_all()
env.cr.commit()
print("RESULT " + json.dumps({"partners": len(saved.get("partners", [])), "leads": len(saved.get("leads", []))}))
""".replace("BACKUP_TABLE", BACKUP)


def shell(rt, db, code):
    """Run ``code`` in an Odoo shell on ``db``; the JSON it prints after ``RESULT ``."""
    proc = subprocess.run(
        [rt.python, "-m", "odoo", "shell", "-c", rt.conf, "-d", db, "--no-http", "--log-level=warn"],
        input=code, capture_output=True, text=True, env=rt.odoo_env(), timeout=1800,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    if proc.returncode or not lines:
        raise RuntimeError("odoo shell on %s failed:\n%s" % (db, (proc.stdout + proc.stderr)[-3000:]))
    return json.loads(lines[-1][len("RESULT "):])


def migrate(rt, db, say=print):
    """Switch ``db`` from Resellers to partner_program (see the module's docstring); returns what moved."""
    state = rt.module_state(db, "website_crm_partner_assign")
    if state != "installed":
        raise RuntimeError("Odoo's Resellers (website_crm_partner_assign) is not installed in %s (%s)" % (db, state))
    say("saving the Resellers' values of %s" % db)
    saved = shell(rt, db, SAVE)
    say("uninstalling website_crm_partner_assign")
    rt.odoo("module", "uninstall", "-c", rt.conf, "-d", db, "website_crm_partner_assign",
            stdout=subprocess.DEVNULL)
    say("installing partner_program")
    rt.odoo("-c", rt.conf, "-d", db, "-i", "partner_program", "--stop-after-init", "--no-http",
            "--log-level=warn")
    say("restoring %(partners)d partners and %(leads)d leads" % saved)
    return shell(rt, db, RESTORE)

"""Switching a database from Odoo's Resellers to the add-on keeps every value users gave it (Odoo as subprocesses).

A database with website_crm_partner_assign and its demo data, plus ordinary use (activations, partnership and
review dates, an implementation reference, a custom weight, assigned leads with their dates, declines,
coordinates, Resellers' tags), is switched with `make migrate-from-resellers`'s code; every value is compared.
"""
import json
import os
import sys

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOOLS)

import bootstrap  # noqa: E402
import migrate_resellers  # noqa: E402

USE = r"""
import json
Partner, Lead = env["res.partner"], env["crm.lead"]
resellers = Partner.search([("grade_id", "!=", False), ("is_company", "=", True)], order="id", limit=3)
assert len(resellers) == 3, "Resellers' demo data has resellers"
activations = env["res.partner.activation"].search([], order="id")
first, second, third = resellers
first.write({"activation": activations[0].id, "date_partnership": "2024-03-01", "date_review": "2025-03-01",
             "date_review_next": "2026-03-01", "partner_latitude": 45.76, "partner_longitude": 4.84})
second.write({"activation": activations[-1].id, "partner_weight": second.grade_id.partner_weight + 7})
customer = Partner.create({"name": "Implemented Customer", "is_company": True, "assigned_partner_id": first.id})
leads = Lead.create([{"name": "Switch lead %s" % i, "type": "lead", "partner_latitude": 45.7 + i,
                      "partner_longitude": 4.8} for i in range(3)])
leads[0].write({"partner_assigned_id": first.id})
leads[0].write({"date_partner_assign": "2025-06-15"})
leads[1].write({"partner_assigned_id": second.id, "partner_declined_ids": [(6, 0, [third.id])]})
leads[2].write({"tag_ids": [(4, env.ref("website_crm_partner_assign.tag_portal_lead_is_spam").id)]})
env.cr.commit()
print("RESULT " + json.dumps({"resellers": resellers.ids, "customer": customer.id, "leads": leads.ids}))
"""

READ = r"""
import json
ids = json.loads(%r)
Partner, Lead = env["res.partner"].with_context(active_test=False), env["crm.lead"].with_context(active_test=False)
partners = Partner.browse(ids["resellers"] + [ids["customer"]])
spam = env.ref("%s.tag_portal_lead_is_spam")
print("RESULT " + json.dumps({
    "partners": [[p.activation.name or False, str(p.date_partnership or ""), str(p.date_review or ""),
                  str(p.date_review_next or ""), p.assigned_partner_id.id, p.partner_weight, p.partner_latitude,
                  p.partner_longitude] for p in partners],
    "custom_weight": [p.id for p in partners if p.partner_weight != p.grade_id.partner_weight],
    "leads": [[l.partner_assigned_id.id, str(l.date_partner_assign or ""), l.partner_declined_ids.ids,
               l.partner_latitude, l.partner_longitude, spam in l.tag_ids] for l in Lead.browse(ids["leads"])],
    "grades": sorted([g.id, g.partner_weight] for g in env["res.partner.grade"].search([])),
    "resellers_xmlids": env["ir.model.data"].search_count([("module", "=", "website_crm_partner_assign")]),
}))
"""


def test_switching_from_resellers_keeps_every_value():
    rt = bootstrap.Runtime()
    rt.write_conf()
    db = rt.test_db + "_resellers"
    rt.drop_db(db)
    rt.odoo("-c", rt.conf, "-d", db, "-i", "website_crm_partner_assign", "--with-demo", "--stop-after-init",
            "--no-http", "--log-level=warn", bootstrap.QUIET_WARNINGS)
    try:
        ids = migrate_resellers.shell(rt, db, USE)
        before = migrate_resellers.shell(rt, db, READ % (json.dumps(ids), "website_crm_partner_assign"))
        assert ids["resellers"][1] in before["custom_weight"], "the weight set by hand differs from the level's"
        assert before["leads"][0][:2] == [ids["resellers"][0], "2025-06-15"]

        result = migrate_resellers.migrate(rt, db, say=lambda _msg: None)

        assert rt.module_state(db, "website_crm_partner_assign") == "uninstalled"
        assert rt.module_state(db, "partner_program") == "installed"
        after = migrate_resellers.shell(rt, db, READ % (json.dumps(ids), "partner_program"))
        assert result["leads"] >= 3
        assert after["partners"] == before["partners"]
        assert after["custom_weight"] == before["custom_weight"]
        assert after["leads"] == before["leads"]
        kept = {grade_id for grade_id, _weight in before["grades"]}
        assert [g for g in after["grades"] if g[0] in kept] == before["grades"], "levels keep their weights"
        assert after["resellers_xmlids"] == 0, "Resellers left nothing behind"
        assert not rt.psql(db, "SELECT 1 FROM pg_tables WHERE tablename = %(t)s", {"t": migrate_resellers.BACKUP})
    finally:
        rt.drop_db(db)

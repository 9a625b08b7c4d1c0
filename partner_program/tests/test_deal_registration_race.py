from uuid import uuid4

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDealRegistrationProtectionRace(TransactionCase):
    """Two resellers register the same customer at the same moment, in a group approving automatically: exactly
    one gets the protection, the other one's registration waits under review.

    Real concurrent transactions (``registry.cursor()``: each its own connection): the late request's snapshot is
    taken before the first registration commits, so it cannot see it when it looks for conflicts; the unique
    index on the protected customer keys decides. Everything is committed first and removed at the end.
    """

    def setUp(self):
        super().setUp()
        self.tag = uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            grade = env["res.partner.grade"].create({"name": "Protection race level %s" % self.tag})
            group = env["partner.group"].create({
                "name": "Protection race %s" % self.tag, "destination_url": "/", "grade_id": grade.id,
                "type_id": env["partner.type"].create({"name": "Protection race %s" % self.tag}).id,
                "deal_auto_approve": True,
            })
            env["partner.offer"].create({"name": "Race bonus", "group_id": group.id,
                                         "trigger": "registration_approved", "amount": 50})
            self.ids = {"grade": grade.id, "group": group.id, "type": group.type_id.id, "companies": [],
                        "users": [], "contacts": []}
            for letter in "AB":
                company = env["res.partner"].create({
                    "name": "Race reseller %s %s" % (letter, self.tag), "is_company": True, "grade_id": grade.id,
                    "partner_group_id": group.id})
                contact = env["res.partner"].create({"name": "Racer %s" % letter, "parent_id": company.id})
                user = env["res.users"].create({
                    "name": "Racer %s" % letter, "login": "protection_race_%s_%s" % (letter, self.tag),
                    "group_ids": [(6, 0, env.ref("base.group_portal").ids)], "partner_id": contact.id})
                self.ids["companies"].append(company.id)
                self.ids["contacts"].append(contact.id)
                self.ids["users"].append(user.id)
        self.addCleanup(self._remove)

    def _remove(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            registrations = env["partner.deal.registration"].search([("partner_id", "in", self.ids["companies"])])
            leads = registrations.lead_id
            env["partner.reward"].search([("lead_id", "in", leads.ids)]).unlink()
            registrations.unlink()
            leads.unlink()
            env["res.users"].browse(self.ids["users"]).unlink()
            env["res.partner"].browse(self.ids["contacts"] + self.ids["companies"]).unlink()
            env["partner.offer"].search([("group_id", "=", self.ids["group"])]).unlink()
            env["partner.group"].browse(self.ids["group"]).unlink()
            env["partner.type"].browse(self.ids["type"]).unlink()
            env["res.partner.grade"].browse(self.ids["grade"]).unlink()

    def _register(self, env, index):
        return env["partner.deal.registration"].with_user(self.ids["users"][index]).register_portal({
            "partner_name": "Race Customer %s" % self.tag, "contact_name": "Rita %s" % index,
            "name": "Race deal %s" % index, "email_from": "rita%s@race-%s.example.org" % (index, self.tag),
        })

    def test_two_resellers_at_the_same_moment_one_protection(self):
        with self.registry.cursor() as cr_late:
            env_late = api.Environment(cr_late, SUPERUSER_ID, {})
            env_late["partner.deal.registration"].search_count([])  # B's snapshot is taken ...
            with self.registry.cursor() as cr_first:  # ... when A's registration commits
                first = self._register(api.Environment(cr_first, SUPERUSER_ID, {}), 0)
                self.assertEqual(first.sudo().state, "approved")
                first_id = first.id
            late = self._register(env_late, 1)
            self.assertEqual(late.sudo().state, "submitted", "B is told its registration is under review")
            self.assertFalse(late.sudo().protected)
            self.assertFalse(late.sudo().lead_id, "no opportunity left behind by the refused approval")
            late_id = late.id
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            registrations = env["partner.deal.registration"].browse([first_id, late_id])
            self.assertEqual(registrations.mapped("protected"), [True, False])
            self.assertEqual(env["crm.lead"].search_count([("deal_registration_id", "in", registrations.ids)]), 1)
            self.assertEqual(registrations[1].conflict_ids, registrations[0], "the manager sees them side by side")
            self.assertFalse(env["partner.reward"].search([("lead_id", "=", registrations[0].lead_id.id)]),
                             "an automatic approval on the partner's own submission fires no reward")

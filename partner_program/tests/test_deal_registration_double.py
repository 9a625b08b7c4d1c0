from uuid import uuid4

from odoo import SUPERUSER_ID, api
from odoo.service.model import retrying
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDealRegistrationRace(TransactionCase):
    """Two submissions of one deal in real concurrent transactions: one deal, none lost, no error.

    The registry is not in test mode in a TransactionCase: each ``registry.cursor()`` is its own connection, so the
    reseller is committed first and removed at the end.
    """

    def setUp(self):
        super().setUp()
        self.tag = uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            grade = env["res.partner.grade"].create({"name": "Deal race level %s" % self.tag})
            company = env["res.partner"].create({"name": "Deal race reseller %s" % self.tag, "is_company": True,
                                                 "grade_id": grade.id})
            user = env["res.users"].create({
                "name": "Deal racer", "login": "deal_race_%s" % self.tag,
                "group_ids": [(6, 0, env.ref("base.group_portal").ids)],
                "partner_id": env["res.partner"].create({"name": "Deal racer", "parent_id": company.id}).id,
            })
            self.ids = {"grade": grade.id, "company": company.id, "user": user.id, "contact": user.partner_id.id}
        self.addCleanup(self._remove)

    def _remove(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["crm.lead"].search([("partner_assigned_id", "=", self.ids["company"])]).unlink()
            env["partner.deal.registration"].search([("partner_id", "=", self.ids["company"])]).unlink()
            env["res.users"].browse(self.ids["user"]).unlink()
            env["res.partner"].browse([self.ids["contact"], self.ids["company"]]).unlink()
            env["res.partner.grade"].browse(self.ids["grade"]).unlink()

    def _register(self, env):
        return env["crm.lead"].with_user(self.ids["user"]).create_opportunity_portal({
            "partner_name": "Race Customer %s" % self.tag, "contact_name": "Rita", "name": "Race deal",
            "email_from": "rita@race-%s.example.com" % self.tag,
        })

    def test_a_registration_whose_snapshot_predates_the_other_one_is_retried_and_finds_it(self):
        with self.registry.cursor() as cr_late:
            env_late = api.Environment(cr_late, SUPERUSER_ID, {})
            env_late["crm.lead"].search_count([])  # the late request's snapshot is taken ...
            with self.registry.cursor() as cr_first:  # ... when the first registration commits
                first = self._register(api.Environment(cr_first, SUPERUSER_ID, {}))
                first_id = first.id
            late = retrying(lambda: self._register(env_late), env_late)
            self.assertEqual(late.id, first_id)
        with self.registry.cursor() as cr:
            deals = api.Environment(cr, SUPERUSER_ID, {})["crm.lead"].search(
                [("partner_assigned_id", "=", self.ids["company"])])
            self.assertEqual(len(deals), 1)

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_partnership import PartnershipCase


@tagged("post_install", "-at_install")
class TestPartnershipSecurity(PartnershipCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mine = cls._partnership(cls._reseller("Mine"))
        cls.theirs = cls._partnership(cls._reseller("Theirs"))
        for partnership in cls.mine | cls.theirs:
            fund = cls._fund(partnership)
            cls.env["partner.fund.operation"].create({
                "fund_id": fund.id, "operation_type": "credit", "amount": 100, "name": "Welcome",
            })
            cls.env["partner.training"].create({"partnership_id": partnership.id, "name": "Onboarding"})
            cls.env["partner.marketing.activity"].create({"partnership_id": partnership.id, "name": "Webinar"})
            partnership.grade_id = cls.grade_silver  # a level history row
        cls.portal_user = new_test_user(cls.env, "pp_portal_mine", groups="base.group_portal")
        cls.portal_user.partner_id.parent_id = cls.mine.partner_id
        cls.user = new_test_user(cls.env, "pp_program_user", groups="partner_program.group_partner_program_user")

    def test_portal_user_reads_only_its_own_partnership_and_what_hangs_from_it(self):
        env = self.env(user=self.portal_user)
        self.assertEqual(env["partner.partnership"].search([]), self.mine)
        for model in ("partner.fund", "partner.fund.operation", "partner.training", "partner.marketing.activity",
                      "partner.partnership.level.history", "partner.partnership.progress"):
            with self.subTest(model=model):
                records = env[model].search([])
                self.assertTrue(records)
                self.assertEqual(records.mapped("partnership_id"), self.mine.with_env(env))
                other = self.env[model].search([("partnership_id", "=", self.theirs.id)], limit=1)
                with self.assertRaises(AccessError):
                    other.with_env(env).read(["partnership_id"])
        self.assertEqual(env["partner.level.parameter"].search([]).type_id, self.type_reseller.with_env(env))

    def test_portal_user_loses_an_archived_partnership(self):
        self.mine.active = False
        env = self.env(user=self.portal_user)
        self.assertFalse(env["partner.partnership"].with_context(active_test=False).search([]))
        with self.assertRaises(AccessError):
            self.mine.with_env(env).read(["partner_id"])
        self.assertFalse(env["partner.fund"].search([]))

    def test_portal_user_writes_nothing(self):
        env = self.env(user=self.portal_user)
        fund = self.mine.fund_ids.with_env(env)
        with self.assertRaises(AccessError):
            self.mine.with_env(env).write({"date_due": self.mine.date_due})
        with self.assertRaises(AccessError):
            env["partner.fund.operation"].create({
                "fund_id": fund.id, "operation_type": "credit", "amount": 1000, "name": "Free money",
            })
        with self.assertRaises(AccessError):
            self.mine.training_ids.with_env(env).unlink()

    def test_program_users_read_and_managers_write(self):
        partnership = self.mine.with_user(self.user)
        self.assertTrue(partnership.fund_ids.operation_ids)
        self.assertEqual(partnership.progress_ids.category_id, self.cat_leads | self.cat_revenue)
        with self.assertRaises(AccessError):
            partnership.write({"grade_id": self.grade_gold.id})
        with self.assertRaises(AccessError):
            self.env["partner.level.parameter"].with_user(self.user).create({
                "type_id": self.type_reseller.id, "grade_id": self.grade_zero.id, "category_id": self.cat_leads.id,
            })
        with self.assertRaises(AccessError):
            partnership.action_recompute_level()
        self.mine.with_user(self.manager).write({"grade_id": self.grade_gold.id})
        self.assertEqual(self.mine.grade_id, self.grade_gold)

    def test_other_company_partnerships_are_invisible(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        foreign = self._partnership(self._reseller("Foreign"), company_id=other_company.id)
        self.assertNotIn(foreign, self.env["partner.partnership"].with_user(self.manager).search([]))
        self.manager.write({"company_ids": [(4, other_company.id)]})
        self.assertIn(foreign, self.env["partner.partnership"].with_user(self.manager).with_context(
            allowed_company_ids=[self.env.company.id, other_company.id]).search([]))

from odoo.exceptions import UserError
from odoo.tests import new_test_user

from .common_partnership import PartnershipCase
from .common_referral import ReferralCase


class TestMergeAndDeleteWithFunds(PartnershipCase):
    """CRM's Merge takes fund operations along; a lead the ledger points at is archived, never deleted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reseller = cls._reseller("Lyon")
        cls.partnership = cls._partnership(cls.reseller, grade=cls.grade_silver)  # Silver: 2% to the fund
        cls.fund = cls._fund(cls.partnership)
        cls.sales_manager = new_test_user(cls.env, "pp_merge_sales_manager", groups="sales_team.group_sale_manager")

    def setUp(self):
        super().setUp()
        self.won = self._opportunities(self.reseller, [10000])  # credited 200 to the fund
        self.duplicate = self._leads(1, name="Same customer, entered twice")

    def _operation(self, operation_type, amount, lead):
        return self.env["partner.fund.operation"].create({
            "fund_id": self.fund.id, "operation_type": operation_type, "amount": amount, "name": "Test",
            "lead_id": lead.id,
        })

    def _merge(self, leads):
        return leads.with_user(self.salesperson).merge_opportunity()

    def test_merge_moves_fund_operations_to_the_kept_lead_untouched(self):
        debit = self._operation("debit", 50, self.duplicate)
        kept = self._merge(self.won | self.duplicate)
        self.assertEqual(kept, self.won)
        self.assertFalse(self.duplicate.exists())
        self.assertRecordValues(debit, [{"lead_id": self.won.id, "amount": 50, "operation_type": "debit"}])
        self.assertEqual(self.fund.balance, 150)
        self.assertTrue(kept.message_ids.filtered(lambda m: "1 fund operation moved from" in m.body))

    def test_merge_of_two_leads_credited_to_one_fund_is_refused(self):
        self._operation("credit", 10, self.duplicate)
        with self.assertRaisesRegex(UserError, "both were credited to .*Marketing fund"):
            self._merge(self.won | self.duplicate)
        self.assertTrue(self.duplicate.exists())

    def test_only_the_merge_moves_an_operation_to_another_lead(self):
        debit = self._operation("debit", 50, self.duplicate)
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            debit.write({"lead_id": self.won.id})

    def test_a_lead_money_hangs_from_is_not_deleted_and_archiving_is_offered(self):
        with self.assertRaisesRegex(UserError, "cannot be deleted: fund operations .* Archive it instead"):
            self.won.with_user(self.sales_manager).unlink()
        self.won.with_user(self.sales_manager).action_archive()
        self.assertFalse(self.won.active)

    def test_other_leads_delete_as_in_odoo(self):
        self.duplicate.with_user(self.sales_manager).unlink()
        self.assertFalse(self.duplicate.exists())


class TestMergeWithRewards(ReferralCase):
    """Rewards follow the merged lead and stay unique per offer and lead."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.offer_signup = cls._offer("referral_signup", amount=10)
        cls.offer_qualified = cls._offer("lead_qualified", amount=50)
        cls.salesperson_merge = cls.env["res.users"].create({
            "name": "Merging Salesperson", "login": "pp_merge_salesperson",
            "group_ids": [(6, 0, [cls.env.ref("sales_team.group_sale_salesman_all_leads").id])],
        })

    def setUp(self):
        super().setUp()
        self.opportunity = self._referred_lead(self.partner_a, type="opportunity", probability=60)
        # another email: one customer earns one sign-up, so the two rewarded leads are two customers
        self.duplicate = self._referred_lead(self.partner_a, name="Twice", email_from="twice@other.example.com")
        self.Reward = self.env["partner.reward"]

    def _rewards(self, lead):
        return self.Reward.search([("lead_id", "=", lead.id)])

    def test_duplicate_pending_reward_is_dropped_and_the_kept_lead_says_so(self):
        dropped = self._rewards(self.duplicate)
        kept_reward = self._rewards(self.opportunity)
        self.assertEqual((dropped | kept_reward).offer_id, self.offer_signup)
        kept = (self.opportunity | self.duplicate).with_user(self.salesperson_merge).merge_opportunity()
        self.assertEqual(kept, self.opportunity)
        self.assertEqual(self._rewards(kept), kept_reward, "one reward per offer and lead")
        self.assertFalse(dropped.exists())
        self.assertTrue(kept.message_ids.filtered(lambda m: "(pending) of Twice deleted" in m.body))

    def test_most_advanced_reward_is_kept_and_moves_to_the_kept_lead(self):
        approved = self._rewards(self.duplicate)
        approved.action_approve()
        pending = self._rewards(self.opportunity)
        kept = (self.opportunity | self.duplicate).merge_opportunity()
        self.assertEqual(self._rewards(kept), approved)
        self.assertEqual(approved.state, "approved")
        self.assertFalse(pending.exists())

    def test_two_approved_rewards_of_one_offer_refuse_the_merge(self):
        (self._rewards(self.duplicate) | self._rewards(self.opportunity)).action_approve()
        with self.assertRaisesRegex(UserError, "both rewarded by the offer .* approved or paid"):
            (self.opportunity | self.duplicate).merge_opportunity()

    def test_rewards_of_other_offers_move_along(self):
        self.duplicate.convert_opportunity(self.env["res.partner"])  # qualified: +50 on the duplicate
        self.duplicate.probability = 5
        qualified = self._rewards(self.duplicate).filtered(lambda reward: reward.offer_id == self.offer_qualified)
        self.assertTrue(qualified)
        kept = (self.opportunity | self.duplicate).merge_opportunity()
        self.assertEqual(qualified.lead_id, kept)
        self.assertEqual(self._rewards(kept).offer_id, self.offer_signup | self.offer_qualified)

    def test_a_rewarded_lead_is_not_deleted(self):
        with self.assertRaisesRegex(UserError, "partner rewards were recorded for it"):
            self.duplicate.unlink()

from psycopg2 import IntegrityError

from odoo.exceptions import UserError
from odoo.tools import mute_logger

from .common_referral import ReferralCase


class TestPartnerReward(ReferralCase):
    """Each trigger creates one reward for the partner who brought the lead, never twice for the same source."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.offer_signup = cls._offer("referral_signup", amount=10)
        cls.offer_submitted = cls._offer("lead_submitted", amount=20)
        cls.offer_qualified = cls._offer("lead_qualified", amount=50)
        cls.offer_won = cls._offer("opportunity_won", reward_type="percent", percent=10, amount=0)

    def _rewards(self, lead, offer=None):
        rewards = self.env["partner.reward"].search([("lead_id", "=", lead.id)])
        return rewards.filtered(lambda reward: reward.offer_id == offer) if offer else rewards

    def test_referral_signup_then_qualification_then_win_reward_the_referring_partner(self):
        lead = self._referred_lead(self.partner_a, expected_revenue=12000)
        self.assertEqual(self._rewards(lead).offer_id, self.offer_signup)
        lead.convert_opportunity(self.env["res.partner"])
        self.assertTrue(lead.date_partner_qualified)
        self.assertEqual(self._rewards(lead, self.offer_qualified).amount, 50)
        lead.action_set_won()
        won = self._rewards(lead, self.offer_won)
        self.assertEqual(won.amount, 1200, "10 % of the won revenue")
        rewards = self._rewards(lead)
        self.assertEqual(len(rewards), 3)
        self.assertEqual(rewards.partner_id, self.partner_a)
        self.assertEqual(set(rewards.mapped("state")), {"pending"})
        self.assertEqual(won.name, "Offer opportunity_won: %s" % lead.name)

    def test_a_submitted_lead_earns_the_submission_offer_not_the_signup_one(self):
        lead = self.env["crm.lead"].with_user(self.user_a).submit_lead_portal({
            "partner_name": "Perrache Test Garage", "email_from": "yves@perrache.example.com"})
        self.assertEqual(self._rewards(lead).offer_id, self.offer_submitted)
        self.assertEqual(self._rewards(lead).partner_id, self.partner_a)

    def test_an_opportunity_leaving_its_first_stage_is_qualified(self):
        team = self.env["crm.team"].create({"name": "Referral Test Team"})
        first, second = self.env["crm.stage"].create([
            {"name": "Referral New", "sequence": -100, "team_ids": team.ids},
            {"name": "Referral Qualified", "sequence": -99, "team_ids": team.ids},
        ])
        lead = self._referred_lead(self.partner_a, type="opportunity", team_id=team.id, stage_id=first.id)
        self.assertFalse(self._rewards(lead, self.offer_qualified))
        lead.write({"priority": "2"})
        self.assertFalse(self._rewards(lead, self.offer_qualified))
        lead.stage_id = second
        self.assertEqual(len(self._rewards(lead, self.offer_qualified)), 1)

    def test_trigger_firing_twice_creates_one_reward(self):
        lead = self._referred_lead(self.partner_a, type="opportunity", expected_revenue=5000)
        open_stage = lead.stage_id
        lead.action_set_won()
        lead.stage_id = open_stage  # reopened
        lead.action_set_won()  # and won a second time
        self.assertEqual(len(self._rewards(lead, self.offer_won)), 1)
        self.assertEqual(len(self._rewards(lead, self.offer_qualified)), 1)
        # Firing the triggers again by hand changes nothing either.
        Reward = self.env["partner.reward"]
        for trigger in ("referral_signup", "lead_qualified", "opportunity_won"):
            self.assertFalse(Reward._grant(lead, trigger))
        self.assertEqual(len(self._rewards(lead)), 3)

    def test_winning_a_batch_qualifies_and_rewards_each_lead_once(self):
        # Won straight from a new opportunity: qualified by the winning write itself (one UPDATE).
        leads = self.env["crm.lead"].browse([
            self._referred_lead(self.partner_a, type="opportunity", expected_revenue=1000,
                                email_from="batch%d@customer.example.com" % index).id
            for index in range(3)])
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        values = {"stage_id": won_stage.id}
        leads.write(values)
        self.assertEqual(values, {"stage_id": won_stage.id}, "the caller's values are left as they were")
        for lead in leads:
            self.assertTrue(lead.date_partner_qualified)
            self.assertEqual(len(self._rewards(lead, self.offer_qualified)), 1)
            self.assertEqual(self._rewards(lead, self.offer_won).amount, 100)
        # A mixed batch: the lead nobody brought stays unqualified, the referred one is qualified once.
        plain = self.env["crm.lead"].create({"name": "Walk-in batch", "type": "opportunity"})
        referred = self._referred_lead(self.partner_a, type="opportunity", email_from="mixed@customer.example.com")
        (plain | referred).write(values)
        self.assertFalse(plain.date_partner_qualified)
        self.assertFalse(self._rewards(plain))
        self.assertTrue(referred.date_partner_qualified)
        self.assertEqual(len(self._rewards(referred, self.offer_qualified)), 1)

    def test_the_database_refuses_a_second_reward_for_the_same_offer_and_source(self):
        lead = self._referred_lead(self.partner_a)
        reward = self._rewards(lead)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            reward.copy()

    def test_leads_nobody_brought_and_archived_offers_earn_nothing(self):
        plain = self.env["crm.lead"].create({"name": "Walk-in", "type": "opportunity", "expected_revenue": 999})
        plain.action_set_won()
        self.assertFalse(self._rewards(plain))
        self.offer_signup.action_archive()
        lead = self._referred_lead(self.partner_a)
        self.assertFalse(self._rewards(lead))
        consultant_lead = self._referred_lead(self.partner_a, referral_group_id=self.group_consultants.id)
        self.assertFalse(self._rewards(consultant_lead), "the group the lead came through decides the offers")

    def test_reward_goes_pending_approved_paid_and_may_be_cancelled_before_payment(self):
        lead = self._referred_lead(self.partner_a)
        reward = self._rewards(lead)
        reward.action_approve()
        self.assertEqual(reward.state, "approved")
        self.assertTrue(reward.date_approved)
        self.assertTrue(reward.statement_id)
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            reward.amount = 1000
        with self.assertRaisesRegex(UserError, "Only pending rewards"):
            reward.action_approve()
        reward.action_mark_paid()
        self.assertEqual(reward.state, "paid")
        with self.assertRaisesRegex(UserError, "A paid reward cannot be cancelled"):
            reward.action_cancel()
        other = self._rewards(self._referred_lead(self.partner_a, email_from="other@customer.example.com"))
        other.action_approve()
        other.action_cancel()
        self.assertEqual((other.state, other.statement_id.id), ("cancelled", False))
        other.action_reset()
        self.assertEqual(other.state, "pending")

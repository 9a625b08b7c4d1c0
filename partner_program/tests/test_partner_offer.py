from odoo.exceptions import UserError, ValidationError

from .common_referral import ReferralCase


class TestPartnerOffer(ReferralCase):
    """Offers are frozen once created: only archived, and replaced by a new one."""

    def test_offer_cannot_be_changed_once_created(self):
        offer = self._offer("opportunity_won", reward_type="percent", percent=10, amount=0)
        for values in ({"percent": 20}, {"name": "Better offer"}, {"trigger": "lead_qualified"},
                       {"group_id": self.group_consultants.id}, {"active": False, "percent": 5}):
            with self.subTest(values=values), self.assertRaisesRegex(UserError, "cannot be changed once created"):
                offer.write(values)
        self.assertEqual((offer.percent, offer.name, offer.active), (10, "Offer opportunity_won", True))

    def test_offer_can_be_archived_and_restored(self):
        offer = self._offer("lead_qualified")
        offer.action_archive()
        self.assertFalse(offer.active)
        offer.action_unarchive()
        self.assertTrue(offer.active)

    def test_replace_archives_the_offer_and_prefills_its_successor(self):
        offer = self._offer("lead_qualified", amount=50)
        lead = self._referred_lead(self.partner_a)
        lead.convert_opportunity(self.env["res.partner"])
        old_reward = lead.partner_reward_ids
        self.assertEqual(old_reward.offer_id, offer)

        action = offer.action_replace()
        self.assertFalse(offer.active)
        self.assertEqual(action["res_model"], "partner.offer")
        context = action["context"]
        self.assertEqual((context["default_group_id"], context["default_trigger"], context["default_amount"]),
                         (self.group.id, "lead_qualified", 50))
        successor = self.env["partner.offer"].with_context(**context).create({"amount": 80})
        self.assertEqual((successor.group_id, successor.trigger, successor.amount), (self.group, "lead_qualified", 80))
        # Past rewards keep the offer they came from; new leads earn the successor's amount.
        self.assertEqual((old_reward.offer_id, old_reward.amount), (offer, 50))
        lead_2 = self._referred_lead(self.partner_a)
        lead_2.convert_opportunity(self.env["res.partner"])
        self.assertEqual((lead_2.partner_reward_ids.offer_id, lead_2.partner_reward_ids.amount), (successor, 80))

    def test_a_percentage_is_only_for_won_opportunities_and_an_amount_is_needed(self):
        with self.assertRaisesRegex(ValidationError, "only exists when an opportunity is won"):
            self._offer("lead_qualified", reward_type="percent", percent=10)
        with self.assertRaisesRegex(ValidationError, "give the reward's amount"):
            self._offer("lead_submitted", amount=0)
        offer = self._offer("opportunity_won", reward_type="percent", percent=12.5, amount=0)
        self.assertEqual(offer.summary, "12.5 % of the won revenue per opportunity won")

    def test_partners_read_their_groups_offers_only(self):
        offer = self._offer("lead_submitted")
        other = self._offer("lead_submitted", group=self.group_consultants)
        Offer = self.env["partner.offer"]
        self.assertEqual(Offer.with_user(self.user_a).search([("id", "in", (offer | other).ids)]), offer)
        self.assertFalse(Offer.with_user(self.user_outsider).search([("id", "in", (offer | other).ids)]))

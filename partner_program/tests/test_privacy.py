from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_referral import ReferralCase

GROUP_FIGURES = ["partner_count", "click_count", "signup_count", "submitted_count", "won_revenue",
                 "application_count"]


@tagged("post_install", "-at_install")
class TestPrivacy(ReferralCase):
    """Over JSON-RPC (read, search_read), a portal user reads only its own company's figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.offer = cls._offer("referral_signup", amount=10)
        won = cls._referred_lead(cls.partner_b, type="opportunity", expected_revenue=5000,
                                 email_from="won@customer.example.com")
        won.action_set_won()

    def test_portal_user_does_not_read_its_groups_figures(self):
        group = self.group.with_user(self.user_a)
        self.assertEqual(group.read(["name"])[0]["name"], self.group.name, "its own group stays readable")
        for field in GROUP_FIGURES:
            with self.subTest(field=field), self.assertRaises(AccessError):
                group.read([field])
        record = group.search_read([("id", "=", self.group.id)])[0]
        self.assertFalse(set(GROUP_FIGURES) & set(record), "search_read without fields leaves them out")
        self.assertEqual(self.group.won_revenue, 5000, "our staff still sees them")

    def test_portal_user_does_not_read_an_offers_total_reward_count(self):
        offer = self.offer.with_user(self.user_a)
        self.assertEqual(offer.read(["name"])[0]["name"], self.offer.name)
        with self.assertRaises(AccessError):
            offer.read(["reward_count"])
        self.assertNotIn("reward_count", offer.search_read([("id", "=", self.offer.id)])[0])
        self.assertEqual(self.offer.reward_count, 1)

    def test_portal_user_does_not_learn_other_resellers_leads_of_the_same_customer(self):
        mine = self.env["crm.lead"].create({"name": "Mine", "email_from": "shared@privacy-customer.example",
                                            "partner_assigned_id": self.partner_a.id})
        theirs = self.env["crm.lead"].create({"name": "Theirs", "email_from": "shared@privacy-customer.example",
                                              "partner_assigned_id": self.partner_b.id})
        self.env.invalidate_all()
        self.assertIn(theirs, mine.duplicate_lead_ids, "our sales team sees the duplicate")
        self.env.invalidate_all()  # a JSON-RPC call starts with an empty cache
        values = mine.with_user(self.user_a).read(["duplicate_lead_ids", "duplicate_lead_count"])[0]
        self.assertEqual((values["duplicate_lead_ids"], values["duplicate_lead_count"]), ([], 0))
        self.env.invalidate_all()
        values = mine.with_user(self.user_a).search_read([("id", "=", mine.id)],
                                                          ["duplicate_lead_ids", "duplicate_lead_count"])[0]
        self.assertEqual((values["duplicate_lead_ids"], values["duplicate_lead_count"]), ([], 0))

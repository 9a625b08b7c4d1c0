from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_referral import ReferralHttpCase


@tagged("post_install", "-at_install")
class TestPortalRewards(ReferralHttpCase):
    """/my/rewards and the statements: a partner sees its own rewards, statements and links, never another's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._offer("referral_signup", amount=25)
        cls.lead_a = cls._referred_lead(cls.partner_a, name="Secret deal of A")
        cls.lead_b = cls._referred_lead(cls.partner_b, name="Secret deal of B")
        cls.reward_a = cls.lead_a.partner_reward_ids
        cls.reward_b = cls.lead_b.partner_reward_ids
        (cls.reward_a | cls.reward_b).action_approve()
        cls.statement_a = cls.reward_a.statement_id
        cls.statement_b = cls.reward_b.statement_id

    def test_rewards_page_lists_my_rewards_and_statements_only(self):
        self._login(self.user_a)
        page = self.url_open("/my/rewards")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.reward_a.name, page.text)
        self.assertIn("/my/rewards/statement/%s" % self.statement_a.id, page.text)
        self.assertNotIn("Secret deal of B", page.text)
        self.assertNotIn("/my/rewards/statement/%s" % self.statement_b.id, page.text)
        home = self.url_open("/my").text
        self.assertIn('href="/my/rewards"', home)
        self.assertIn('href="/my/referrals"', home)

    def test_my_statement_opens_and_prints(self):
        self._login(self.user_a)
        page = self.url_open("/my/rewards/statement/%s" % self.statement_a.id)
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.reward_a.name, page.text)
        report = self.url_open("/my/rewards/statement/%s?report_type=html" % self.statement_a.id)
        self.assertEqual(report.status_code, 200)
        self.assertIn(self.reward_a.name, report.text)

    def test_another_partners_statement_answers_404(self):
        self._login(self.user_a)
        for suffix in ("", "?report_type=html", "?report_type=pdf&download=true"):
            with self.subTest(suffix=suffix):
                response = self.url_open("/my/rewards/statement/%s%s" % (self.statement_b.id, suffix))
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("Secret deal of B", response.text)
        self.assertEqual(self.url_open("/my/rewards/statement/999999").status_code, 404)

    def test_logged_out_visitors_are_sent_to_the_login_page(self):
        self._login(None)
        for url in ("/my/rewards", "/my/referrals", "/my/rewards/statement/%s" % self.statement_a.id):
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 303, url)
            self.assertIn("/web/login", response.headers["Location"])

    def test_partner_without_group_sees_how_to_join(self):
        self._login(self.user_outsider)
        page = self.url_open("/my/referrals")
        self.assertEqual(page.status_code, 200)
        self.assertIn("/partners/apply", page.text)
        self.assertNotIn(self.reward_a.name, self.url_open("/my/rewards").text)

    def test_portal_users_read_their_own_records_and_write_none(self):
        application = self.env["partner.application"].create({
            "name": "Referral Reseller A", "contact_name": "Alice", "email_from": "alice@referral-a.example.com",
            "group_id": self.group.id, "partner_id": self.partner_a.id,
        })
        other_application = self.env["partner.application"].create({
            "name": "Referral Reseller B", "contact_name": "Bob", "email_from": "bob@referral-b.example.com",
            "group_id": self.group.id, "partner_id": self.partner_b.id,
        })
        for model, mine, theirs in (
            ("partner.reward", self.reward_a, self.reward_b),
            ("partner.commission.statement", self.statement_a, self.statement_b),
            ("partner.referral.link", self.link_a, self.link_b),
            ("partner.application", application, other_application),
        ):
            with self.subTest(model=model):
                Model = self.env[model].with_user(self.user_a)
                self.assertEqual(Model.search([("id", "in", (mine | theirs).ids)]), mine.with_user(self.user_a))
                with self.assertRaises(AccessError):
                    theirs.with_user(self.user_a).read(["display_name"])
                with self.assertRaises(AccessError):
                    mine.with_user(self.user_a).write({"active": False} if "active" in mine._fields else {"name": "x"})
        self.assertFalse(self.env["partner.group"].with_user(self.user_a).search(
            [("id", "=", self.group_consultants.id)]), "another group stays hidden")
        self.assertEqual(self.env["partner.group"].with_user(self.user_a).search([("id", "=", self.group.id)]),
                         self.group.with_user(self.user_a))

import io
import shutil

from freezegun import freeze_time

from odoo.tools.pdf import PdfReader

from .common_referral import ReferralCase


class TestCommissionStatement(ReferralCase):
    """Monthly statements: the rewards approved in the month, per partner, and their totals."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.offer = cls._offer("referral_signup", amount=40)
        cls.offer_won = cls._offer("opportunity_won", reward_type="percent", percent=10, amount=0)

    def _reward(self, partner, revenue=None):
        # A new customer each time: one sign-up per customer and link.
        self._customers = getattr(self, "_customers", 0) + 1
        email = "customer%s@customer.example.com" % self._customers
        if revenue:
            lead = self._referred_lead(partner, type="opportunity", expected_revenue=revenue, email_from=email)
            lead.action_set_won()
            return lead.partner_reward_ids.filtered(lambda reward: reward.offer_id == self.offer_won)
        return self._referred_lead(partner, email_from=email).partner_reward_ids

    def _statements(self, partner):
        return self.env["partner.commission.statement"].search([("partner_id", "=", partner.id)], order="date_from")

    def test_statement_holds_the_rewards_approved_in_the_month_and_their_total(self):
        march_1, march_2 = self._reward(self.partner_a), self._reward(self.partner_a, revenue=2500)
        april = self._reward(self.partner_a)
        pending = self._reward(self.partner_a)
        other_partner = self._reward(self.partner_b)
        with freeze_time("2025-03-10"):
            (march_1 | march_2 | other_partner).action_approve()
        with freeze_time("2025-04-02"):
            april.action_approve()
        march, april_statement = self._statements(self.partner_a)
        self.assertEqual((str(march.date_from), str(march.date_to)), ("2025-03-01", "2025-03-31"))
        self.assertEqual(march.name, "March 2025 - Referral Reseller A")
        self.assertEqual(march.month_label, "March 2025", "the list says the month, not 'Mar 1'")
        self.assertEqual(march.reward_ids, march_1 | march_2)
        self.assertEqual((march.reward_count, march.amount_total, march.amount_paid, march.amount_due),
                         (2, 290, 0, 290))
        self.assertEqual((april_statement.reward_ids, april_statement.amount_total), (april, 40))
        self.assertEqual(self._statements(self.partner_b).amount_total, 40)
        self.assertFalse(pending.statement_id, "pending rewards are on no statement")

        march_2.action_mark_paid()
        self.assertEqual((march.amount_total, march.amount_paid, march.amount_due), (290, 250, 40))
        march_1.action_cancel()
        self.assertEqual((march.reward_count, march.amount_total, march.amount_due), (1, 250, 0))
        april_statement.action_mark_paid()
        self.assertEqual((april.state, april_statement.amount_due), ("paid", 0))

    def test_approving_many_rewards_fills_statements_in_a_few_queries(self):
        rewards = self.env["partner.reward"]
        for _index in range(20):
            rewards |= self._reward(self.partner_a) | self._reward(self.partner_b)
        self.env.invalidate_all()
        # 40 rewards, 2 partners: 10 queries for the statements (one search, one create, grouped writes), the
        # rest is the chatter tracking of each reward (state, statement), which mail writes one message per reward.
        with self.assertQueryCount(94):
            rewards.action_approve()
        self.assertEqual(len(self._statements(self.partner_a).reward_ids), 20)
        self.assertEqual(self._statements(self.partner_b).amount_total, 800)

    def test_report_renders_the_lines_and_the_total(self):
        rewards = self._reward(self.partner_a) | self._reward(self.partner_a, revenue=12345)
        with freeze_time("2025-05-20"):
            rewards.action_approve()
        statement = self._statements(self.partner_a)
        html = str(self.env["ir.actions.report"]._render_qweb_html(
            "partner_program.action_report_commission_statement", statement.ids)[0], "utf-8")
        self.assertIn("Commission Statement", html)
        self.assertIn("May 2025 - Referral Reseller A", html)
        for reward in rewards:
            self.assertIn(reward.name, html)
        self.assertIn("1,274.50", html, "40 + 10 % of 12,345")
        self.assertEqual(self.env.ref("partner_program.action_report_commission_statement").report_type, "qweb-pdf")
        self.assertEqual(statement._get_report_base_filename(), "Commission Statement May 2025 - Referral Reseller A")


    def test_statement_prints_a_pdf_with_the_partner_and_the_total(self):
        self.assertTrue(shutil.which("wkhtmltopdf"), "the bootstrap installs Debian's wkhtmltopdf")
        rewards = self._reward(self.partner_a) | self._reward(self.partner_a, revenue=12345)
        with freeze_time("2025-05-20"):
            rewards.action_approve()
        statement = self._statements(self.partner_a)
        pdf, kind = self.env["ir.actions.report"].with_context(force_report_rendering=True)._render_qweb_pdf(
            "partner_program.action_report_commission_statement", statement.ids)
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF-"))
        # wkhtmltopdf's text comes out with tabs and line breaks between words
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
        self.assertIn("Referral Reseller A", text)
        self.assertIn("1,274.50", text, "the total: 40 + 10 % of 12,345")

from odoo.tests import new_test_user, tagged

from .common_referral import ReferralHttpCase


@tagged("post_install", "-at_install")
class TestReferralSelfDealing(ReferralHttpCase):
    """No partner earns a reward on a lead it works itself, and one customer is one sign-up."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.offer_signup = cls._offer("referral_signup", amount=10)
        cls.offer_qualified = cls._offer("lead_qualified", amount=50)
        cls.team = cls.env["crm.team"].create({"name": "Self-dealing Sales", "use_leads": True,
                                               "use_opportunities": True})
        Stage = cls.env["crm.stage"]
        cls.stage_new = Stage.create({"name": "SD New", "sequence": 0, "team_ids": cls.team.ids})
        cls.stage_next = Stage.create({"name": "SD Proposal", "sequence": 1, "team_ids": cls.team.ids})
        cls.salesman = new_test_user(cls.env, "pp_sd_salesman", groups="sales_team.group_sale_salesman_all_leads")

    def _rewards(self, lead, offer):
        return self.env["partner.reward"].search([("lead_id", "=", lead.id), ("offer_id", "=", offer.id)])

    def _own_referred_lead(self):
        """What the attacker gets: a lead through its own link, assigned to itself (group rule "referrer")."""
        return self._referred_lead(self.partner_a, partner_assigned_id=self.partner_a.id, team_id=self.team.id,
                                   stage_id=self.stage_new.id, email_from="invented@customer.example.com")

    def test_partner_accepting_or_moving_its_own_referred_lead_never_qualifies_it(self):
        lead = self._own_referred_lead()
        self._login(self.user_a)
        response = self._post("/my/lead/%s/interested" % lead.id, {
            "activity_type_id": str(self.env.ref("mail.mail_activity_data_call").id),
            "activity_date_deadline": "2099-01-15", "activity_summary": "Call them",
            "expected_revenue": "1000", "contacted": "1",
        }, csrf_from="/my/lead/%s" % lead.id)
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertEqual(lead.type, "opportunity")
        self.assertFalse(lead.date_partner_qualified, "I'm interested on its own lead qualifies nothing")
        self.assertFalse(self._rewards(lead, self.offer_qualified))

        # Its portal moves the opportunity to a later stage: still nothing.
        stages = lead.with_user(self.user_a)._portal_stages()
        later = stages.filtered(lambda stage: stage.sequence > lead.stage_id.sequence)
        self.assertTrue(later)
        lead.with_user(self.user_a).update_lead_portal({"stage_id": str(later[0].id)})
        self.assertEqual(lead.stage_id, later[0])
        self.assertFalse(lead.date_partner_qualified)
        self.assertFalse(self._rewards(lead, self.offer_qualified))

        # Our salesperson qualifies it (a stage change of ours past the first stage, or winning it): it counts.
        lead.with_user(self.salesman).write({"stage_id": stages[0].id})
        lead.with_user(self.salesman).write({"stage_id": later[-1].id})
        self.assertTrue(lead.date_partner_qualified)
        self.assertEqual(len(self._rewards(lead, self.offer_qualified)), 1)

    def test_referrers_own_people_sending_the_form_through_its_link_earn_no_signup(self):
        self._login(None)
        self.url_open("/r/%s" % self.link_a.code, allow_redirects=False)
        url = "/partners/%s/contact" % self.env["ir.http"]._slug(self.partner_b)
        own_email = self.contact_a.email_normalized
        self.assertTrue(own_email)
        for email in (own_email, " %s " % own_email.upper()):
            response = self._post(url, {"contact_name": "Alice", "email_from": email, "description": "Me again"})
            self.assertEqual(response.status_code, 303)
        leads = self.env["crm.lead"].search([("referral_link_id", "=", self.link_a.id)])
        self.assertTrue(leads, "the lead is still attributed: our sales team sees where it came from")
        self.assertFalse(self.env["partner.reward"].search([("partner_id", "=", self.partner_a.id)]),
                         "a contact of the referring company is not a referred customer: %s" % self.env[
                             "partner.reward"].search([("partner_id", "=", self.partner_a.id)]).mapped("trigger"))

    def test_one_signup_per_customer_per_link_within_the_attribution_period(self):
        self._login(None)
        self.url_open("/r/%s" % self.link_a.code, allow_redirects=False)
        url = "/partners/%s/contact" % self.env["ir.http"]._slug(self.partner_b)
        for email in ("same@visitor.example.com", "SAME@visitor.example.com", " same@Visitor.example.com"):
            self._post(url, {"contact_name": "Same Visitor", "email_from": email, "description": "Hello"})
        self._post(url, {"contact_name": "Other Visitor", "email_from": "other@visitor.example.com",
                         "description": "Hello"})
        signups = self.env["partner.reward"].search([("offer_id", "=", self.offer_signup.id)])
        self.assertEqual(len(signups), 2, "three forms of one customer are one sign-up; another customer, another")
        self.assertEqual(set(signups.lead_id.mapped("email_normalized")),
                         {"same@visitor.example.com", "other@visitor.example.com"})

    def test_without_email_the_company_name_is_the_customer(self):
        first = self._referred_lead(self.partner_a, email_from=False, partner_name="Acme Corp")
        second = self._referred_lead(self.partner_a, email_from=False, partner_name=" acme corp ")
        third = self._referred_lead(self.partner_a, email_from=False, partner_name="Other Corp")
        self.assertEqual(len(self._rewards(first, self.offer_signup)), 1)
        self.assertFalse(self._rewards(second, self.offer_signup))
        self.assertEqual(len(self._rewards(third, self.offer_signup)), 1)

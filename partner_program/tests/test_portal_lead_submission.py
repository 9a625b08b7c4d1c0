import html

from odoo.tests import tagged

from .common_referral import ReferralHttpCase


@tagged("post_install", "-at_install")
class TestPortalLeadSubmission(ReferralHttpCase):
    """"Submit a lead" on the portal: always attributed to my own company, and only for partners of a group."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.question = cls.env["partner.group.question"].create({
            "group_id": cls.group.id, "form": "lead", "name": "Budget", "field_type": "selection",
            "options": "Under 10,000\nOver 10,000", "required": True,
        })

    def _form(self, **values):
        return dict({
            "partner_name": "Perrache Test Garage",
            "contact_name": "Yves Perrin",
            "email_from": "yves@perrache-test.example.com",
            "phone": "+33 4 00 00 00 00",
            "description": "Wants to replace its accounting software.",
            "question_%s" % self.question.id: "Over 10,000",
        }, **values)

    def _submit(self, **values):
        return self._post("/my/leads/submit", self._form(**values))

    def _submitted(self):
        return self.env["crm.lead"].search([("email_from", "=", "yves@perrache-test.example.com")])

    def test_submitted_lead_is_attributed_to_my_company_and_flagged(self):
        self._login(self.user_a)
        self.assertIn("/my/leads/submit", self.url_open("/my/referrals").text)
        page = self.url_open("/my/leads/submit")
        self.assertIn("Budget", page.text)
        response = self._submit()
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my/referrals"))
        lead = self._submitted()
        self.assertEqual(len(lead), 1)
        self.assertEqual((lead.referral_partner_id, lead.referral_group_id), (self.partner_a, self.group))
        self.assertTrue(lead.partner_submitted)
        self.assertFalse(lead.partner_assigned_id, "our sales team qualifies it")
        self.assertEqual(lead.user_id, self.manager, "the group's manager follows it")
        self.assertIn(self.env.ref("partner_program.tag_submitted_by_partner"), lead.tag_ids)
        self.assertIn("Over 10,000", lead.description)
        self.assertIn("Wants to replace its accounting software.", lead.description)
        listing = self.url_open("/my/referrals").text
        self.assertIn("Thank you: your lead is submitted.", listing)
        self.assertIn(lead.name, listing)
        self.assertIn("Submitted", listing)

    def test_another_company_can_never_be_named(self):
        self._login(self.user_a)
        self._submit(referral_partner_id=str(self.partner_b.id), partner_assigned_id=str(self.partner_b.id),
                     referral_group_id=str(self.group_consultants.id), partner_submitted="0")
        lead = self._submitted()
        self.assertEqual(lead.referral_partner_id, self.partner_a)
        self.assertEqual(lead.referral_group_id, self.group)
        self.assertFalse(lead.partner_assigned_id)
        # B does not see A's submissions, and cannot open the lead.
        self._login(self.user_b)
        self.assertNotIn("Perrache Test Garage", self.url_open("/my/referrals").text)
        self.assertEqual(self.url_open("/my/lead/%s" % lead.id).status_code, 404)

    def test_company_outside_any_group_or_group_without_submission_gets_403(self):
        self._login(self.user_outsider)
        self.assertEqual(self.url_open("/my/leads/submit").status_code, 403)
        self.group.allow_lead_submission = False
        self._login(self.user_a)
        self.assertEqual(self.url_open("/my/leads/submit").status_code, 403)

    def test_logged_out_visitors_are_sent_to_the_login_page(self):
        self._login(None)
        for data in (None, self._form()):
            response = self.url_open("/my/leads/submit", data=data, allow_redirects=False)
            self.assertEqual(response.status_code, 303)
            self.assertIn("/web/login", response.headers["Location"])
        self.assertFalse(self._submitted())

    def test_missing_or_foreign_csrf_token_is_refused(self):
        self._login(self.user_b)
        foreign = self._csrf("/my/leads/submit")
        self._login(self.user_a)
        response = self.url_open("/my/leads/submit", data=self._form(), allow_redirects=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self._post("/my/leads/submit", self._form(), token=foreign).status_code, 400)
        self.assertFalse(self._submitted())

    def test_incomplete_form_names_its_faults_and_creates_nothing(self):
        self._login(self.user_a)
        response = self._submit(partner_name="", contact_name="", email_from="nope",
                                **{"question_%s" % self.question.id: "Priceless"})
        self.assertEqual(response.status_code, 400)
        for message in ("Give the customer's company or the contact's name.", "This is not a valid email address.",
                        "Please pick one of the choices."):
            self.assertIn(message, html.unescape(response.text))
        self.assertFalse(self.env["crm.lead"].search([("email_from", "=", "nope")]))

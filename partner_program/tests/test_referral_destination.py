import json
from urllib.parse import urlsplit

from odoo.tests import tagged

from .common_referral import ReferralHttpCase


@tagged("post_install", "-at_install")
class TestReferralDestination(ReferralHttpCase):
    """A referral link credits the partner only if its destination lets the visitor create a lead."""

    def test_demo_contact_form_creates_a_lead_credited_to_the_referring_partner(self):
        demo_group = self.env.ref("partner_program.partner_group_resellers", raise_if_not_found=False)
        if demo_group:
            self.assertEqual(demo_group.destination_url, "/contactus")
            self.assertEqual(demo_group.destination_lead_form, "yes", "the demo's /contactus form creates leads")
        self.group.destination_url = "/contactus"
        self.assertEqual(self.group.destination_lead_form, "yes")
        self._login(None)
        response = self.url_open("/r/%s" % self.link_a.code, allow_redirects=False)
        self.assertEqual(urlsplit(response.headers["Location"]).path, "/contactus")
        page = self.url_open("/contactus")
        self.assertIn('data-model_name="crm.lead"', page.text)
        response = self.url_open("/website/form/crm.lead", data={
            "contact_name": "Referred Visitor", "email_from": "referred@visitor.example.com",
            "partner_name": "Visitor Company", "name": "We need an ERP", "description": "For 20 people.",
        })
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertIn("id", json.loads(response.text))
        lead = self.env["crm.lead"].search([("email_from", "=", "referred@visitor.example.com")])
        self.assertEqual(lead.name, "We need an ERP")
        self.assertEqual(lead.partner_name, "Visitor Company")
        self.assertEqual(lead.referral_partner_id, self.partner_a)
        self.assertEqual(lead.referral_link_id, self.link_a)

    def test_group_form_says_when_its_destination_cannot_produce_a_lead(self):
        self.group.destination_url = "/"
        self.assertEqual(self.group.destination_lead_form, "no")
        self.group.destination_url = "https://www.example.com/pricing"
        self.assertEqual(self.group.destination_lead_form, "external")


from urllib.parse import urlsplit

from odoo.tests import tagged

from .common_referral import ReferralHttpCase

DESTINATION = "https://www.example.com/pricing?lang=en&utm_source=Referral&utm_medium=Website"


@tagged("post_install", "-at_install")
class TestReferralLink(ReferralHttpCase):
    """/r/<code>: counts the click, sets the attribution cookie, redirects only to the group's destination."""

    def _visit(self, path):
        return self.url_open(path, allow_redirects=False)

    def _contact_partner(self, partner, **values):
        """The directory's "Contact this partner" form, as a visitor sends it."""
        url = "/partners/%s/contact" % self.env["ir.http"]._slug(partner)
        return self._post(url, dict({
            "contact_name": "Visiting Prospect", "email_from": "prospect@visitor.example.com",
            "description": "We need an ERP.",
        }, **values))

    def _visitor_leads(self):
        return self.env["crm.lead"].search([("email_from", "=", "prospect@visitor.example.com")])

    def test_click_is_counted_sets_the_cookie_and_redirects_to_the_destination(self):
        self._login(None)
        response = self._visit("/r/%s" % self.link_a.code)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response.headers["Location"], DESTINATION)
        cookie = next(c for c in self.opener.cookies if c.name == "pp_referral")
        self.assertEqual(cookie.value, self.link_a.code)
        self.assertIn("Max-Age=%s" % (30 * 24 * 3600), response.headers["Set-Cookie"])
        self.assertIn("HttpOnly", response.headers["Set-Cookie"])
        self._visit("/r/%s" % self.link_a.code.upper())
        self.link_a.invalidate_recordset()
        self.assertEqual(self.link_a.click_count, 2)
        self.assertEqual(self.link_b.click_count, 0)

    def test_no_open_redirect_whatever_the_query_says(self):
        self._login(None)
        for query in ("?next=https://evil.example", "?redirect=https://evil.example&url=//evil.example",
                      "?next=%2F%2Fevil.example", "?next=javascript:alert(1)"):
            with self.subTest(query=query):
                response = self._visit("/r/%s%s" % (self.link_a.code, query))
                self.assertEqual(response.status_code, 302)
                self.assertEqual(response.headers["Location"], DESTINATION)
                self.assertNotIn("evil", response.headers["Location"])
        # A local destination stays on this website.
        self.partner_a.partner_group_id = self.group_consultants
        location = self._visit("/r/%s?next=https://evil.example" % self.link_a.code).headers["Location"]
        self.assertEqual(urlsplit(location).path, "/contactus")
        self.assertNotIn("evil", location)

    def test_unknown_disabled_or_archived_links_are_404_and_count_nothing(self):
        self._login(None)
        self.assertEqual(self._visit("/r/nosuchcode").status_code, 404)
        self.assertEqual(self._visit("/r/%3Cscript%3E").status_code, 404)
        self.group.allow_referral_links = False
        self.assertEqual(self._visit("/r/%s" % self.link_a.code).status_code, 404)
        self.group.allow_referral_links = True
        self.partner_a.active = False
        self.assertEqual(self._visit("/r/%s" % self.link_a.code).status_code, 404)
        self.link_a.invalidate_recordset()
        self.assertEqual(self.link_a.click_count, 0)

    def test_custom_links_work_only_while_the_group_allows_them(self):
        custom = self.env["partner.referral.link"].with_user(self.user_a).create_custom_link_portal(
            {"code": "Spring-Webinar", "name": "Spring webinar"})
        self.assertEqual(custom.sudo().code, "spring-webinar")
        self._login(None)
        self.assertEqual(self._visit("/r/spring-webinar").status_code, 302)
        self.group.allow_custom_links = False
        self.assertEqual(self._visit("/r/spring-webinar").status_code, 404)
        self.assertEqual(self._visit("/r/%s" % self.link_a.code).status_code, 302, "the main link still works")

    def test_portal_form_creates_a_custom_link_with_a_free_valid_code(self):
        self._login(self.user_a)
        response = self._post("/my/referrals/links/new", {"code": "newsletter", "name": "Newsletter"},
                              csrf_from="/my/referrals")
        self.assertEqual(response.status_code, 303)
        link = self.env["partner.referral.link"].search([("code", "=", "newsletter")])
        self.assertEqual((link.partner_id, link.is_custom), (self.partner_a, True))
        page = self.url_open("/my/referrals").text
        self.assertIn(link.url, page)
        self.assertIn("Your new link is ready", page)
        for code, message in ((self.link_b.code, "already taken"), ("a", "3 to 32"), ("../admin", "3 to 32")):
            response = self._post("/my/referrals/links/new", {"code": code, "name": "Taken"}, csrf_from="/my/referrals")
            self.assertEqual(response.status_code, 400)
            self.assertIn(message, response.text)
        token = self._csrf("/my/referrals")
        self.group.allow_custom_links = False
        self.assertNotIn("o_pp_custom_link_form", self.url_open("/my/referrals").text)
        response = self._post("/my/referrals/links/new", {"code": "refused", "name": "x"}, token=token)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.env["partner.referral.link"].search([("code", "=", "refused")]))

    def test_lead_sent_from_the_website_with_the_cookie_is_attributed_to_the_partner(self):
        offer = self._offer("referral_signup", amount=10)
        self._login(None)
        self._visit("/r/%s" % self.link_a.code)
        response = self._contact_partner(self.partner_b)
        self.assertEqual(response.status_code, 303)
        lead = self._visitor_leads()
        self.assertEqual(lead.referral_partner_id, self.partner_a)
        self.assertEqual(lead.referral_link_id, self.link_a)
        self.assertEqual(lead.referral_group_id, self.group)
        self.assertEqual(lead.source_id, self.env.ref("utm.utm_source_referral"))
        self.assertEqual(lead.partner_assigned_id, self.partner_b, "the visitor chose whom to contact")
        self.assertEqual(lead.partner_reward_ids.offer_id, offer)
        self.assertEqual(lead.partner_reward_ids.partner_id, self.partner_a)
        self.link_a.invalidate_recordset()
        self.assertEqual(self.link_a.signup_count, 1)

    def test_no_cookie_no_attribution(self):
        self._login(None)
        self._contact_partner(self.partner_b)
        self.assertFalse(self._visitor_leads().referral_partner_id)

    def test_a_partner_never_refers_itself(self):
        self._login(self.user_b)
        self._visit("/r/%s" % self.link_a.code)
        self._contact_partner(self.partner_a)
        self.assertFalse(self._visitor_leads().referral_partner_id, "a partner's own users are not referred visitors")

    def test_referred_leads_are_assigned_per_the_groups_rule(self):
        Lead = self.env["crm.lead"]
        for rule, expected in (("referrer", self.partner_a), ("none", self.env["res.partner"])):
            self.group.referral_assignment = rule
            vals = {"name": "Rule %s" % rule}
            Lead._referral_apply(vals, self.link_a)
            lead = Lead.create(vals)
            self.assertEqual(lead.partner_assigned_id, expected, rule)
            self.assertEqual(lead.referral_partner_id, self.partner_a)
        # Automatic: the nearest fair reseller, here the only eligible one near the lead.
        self.group.referral_assignment = "auto"
        (self.partner_a | self.partner_b).write({"partner_weight": 0, "partner_weight_manual": True})
        vals = {"name": "Rule auto", "country_id": self.fr.id, "partner_latitude": 45.76, "partner_longitude": 4.83}
        Lead._referral_apply(vals, self.link_a)
        lead = Lead.create(vals)
        self.assertFalse(lead.partner_assigned_id, "nobody eligible: waits for the salesperson")
        self.partner_b.write({"partner_weight": 1})
        vals = {"name": "Rule auto 2", "country_id": self.fr.id, "partner_latitude": 45.76, "partner_longitude": 4.83}
        Lead._referral_apply(vals, self.link_a)
        self.assertEqual(Lead.create(vals).partner_assigned_id, self.partner_b)

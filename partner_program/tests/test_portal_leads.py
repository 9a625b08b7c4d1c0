from datetime import date, datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.addons.partner_program.controllers.reseller_portal import ResellerPortal
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import format_amount, format_date

from .common_portal import PartnerPortalCase


@tagged("post_install", "-at_install")
class TestPortalLeads(PartnerPortalCase):
    """/my counters, /my/leads and /my/opportunities lists, and who may open what."""

    def test_home_counters_count_leads_and_opportunities_of_my_company(self):
        # One more lead for a contact of the company: the company's leads are everyone's in it.
        self._portal_lead("Lead of a colleague", self.contact_a2)
        for user in (self.user_a, self.user_a2):
            self._login(user)
            counters = self.make_jsonrpc_request("/my/counters", {"counters": ["lead_count", "opp_count"]})
            self.assertEqual(counters, {"lead_count": 2, "opp_count": 1}, user.login)
        home = self.url_open("/my")
        self.assertIn('href="/my/leads"', home.text)
        self.assertIn('href="/my/opportunities"', home.text)
        # The cards show their count ("Leads 2"), filled by /my's script from the counters above.
        self.assertIn('data-placeholder_count="lead_count"', home.text)
        self.assertIn('data-placeholder_count="opp_count"', home.text)

    def test_home_counters_hidden_for_users_whose_company_has_no_level(self):
        self._portal_lead("Lead of a customer", self.customer_contact)  # even if a lead points at it
        self._login(self.user_customer)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["lead_count", "opp_count"]})
        self.assertNotIn("lead_count", counters)
        self.assertNotIn("opp_count", counters)
        home = self.url_open("/my")
        self.assertNotIn('href="/my/leads"', home.text)
        self.assertNotIn('href="/my/opportunities/new"', self.url_open("/my/opportunities").text)

    def test_lists_show_only_my_company_records_of_each_type(self):
        self._login(self.user_a)
        leads = self.url_open("/my/leads")
        self.assertEqual(leads.status_code, 200)
        self.assertIn(self.lead_a.name, leads.text)
        self.assertNotIn(self.lead_b.name, leads.text)
        self.assertNotIn(self.opp_a.name, leads.text)
        opportunities = self.url_open("/my/opportunities")
        self.assertIn(self.opp_a.name, opportunities.text)
        self.assertNotIn(self.opp_b.name, opportunities.text)
        self.assertNotIn(self.lead_a.name, opportunities.text)
        self.assertIn('href="/my/opportunities/new"', opportunities.text)

    def test_search_with_a_nul_byte_still_answers(self):
        self._login(self.user_a)
        for url in ("/my/leads?search=Tour%00", "/my/opportunities?search=%00%00", "/my/leads?search=" + "a" * 20000):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url[:40])
        self.assertIn(self.lead_a.name, self.url_open("/my/leads?search=Tour%00").text)

    def test_lists_page_sort_filter_by_stage_and_date_and_search(self):
        Lead = self.env["crm.lead"]
        many = Lead.browse()
        for index in range(23):
            many |= self._portal_lead("Paged lead %02d" % index, self.reseller_a, expected_revenue=1000 + index)
        rich = self._portal_lead("Zebra Rich Lead", self.reseller_a, expected_revenue=999999,
                                 stage_id=self.stage_proposition.id)
        old = self._portal_lead("Ancient Lead", self.reseller_a, expected_revenue=5)
        self.env.flush_all()
        self.env.cr.execute("UPDATE crm_lead SET create_date = %s WHERE id = %s",
                            (fields.Datetime.now() - timedelta(days=60), old.id))
        self._login(self.user_a)
        with patch.object(ResellerPortal, "_items_per_page", 10):
            page1 = self.url_open("/my/leads?sortby=revenue").text
            page3 = self.url_open("/my/leads/page/3?sortby=revenue").text
        # 26 leads: 10 + 10 + 6, richest first, cheapest last.
        self.assertEqual(page1.count('class="o_pp_row"'), 10)
        self.assertEqual(page3.count('class="o_pp_row"'), 6)
        self.assertLess(page1.index("Zebra Rich Lead"), page1.index("Paged lead 22"))
        self.assertIn("Ancient Lead", page3)
        self.assertIn("/my/leads/page/2?", page1)

        by_name = self.url_open("/my/leads?sortby=name").text
        self.assertLess(by_name.index("Ancient Lead"), by_name.index("Zebra Rich Lead"))

        stage = self.url_open("/my/leads?filterby=stage_%s" % self.stage_proposition.id).text
        self.assertEqual(stage.count('class="o_pp_row"'), 1)
        self.assertIn("Zebra Rich Lead", stage)

        recent = self.url_open("/my/leads?period=month").text
        self.assertNotIn("Ancient Lead", recent)
        self.assertIn("Zebra Rich Lead", recent)

        found = self.url_open("/my/leads?search=zebra").text
        self.assertEqual(found.count('class="o_pp_row"'), 1)
        self.assertIn("Zebra Rich Lead", found)
        # Unknown sort/filter/period keys fall back to the defaults instead of failing.
        self.assertEqual(self.url_open("/my/leads?sortby=drop&filterby=x&period=y").status_code, 200)
        # Search also looks at the customer's name.
        found = self.url_open("/my/leads?search=fourvi%C3%A8re%20optique").text
        self.assertEqual(found.count('class="o_pp_row"'), 1)
        self.assertIn(self.lead_a.name, found)
        self.assertNotIn(rich.name, found)

    def test_list_formats_dates_and_amounts_like_the_widgets(self):
        """The list formats its rows itself, once per page: the same text as Odoo's date and monetary widgets,
        in the user's language and time zone."""
        self.env["res.lang"]._activate_lang("fr_FR")
        eur = self.env.ref("base.EUR")
        for lang, tz in (("en_US", "UTC"), ("fr_FR", "Europe/Paris"), ("en_US", "America/New_York")):
            Lead = self.env["crm.lead"].with_user(self.user_a).with_context(lang=lang, tz=tz)
            list_date, list_amount = Lead._portal_list_formatters()
            for currency in (self.env.company.currency_id, eur):
                for amount in (0, 5, 1234567.891, -1500.5, 0.005, 999.995):
                    self.assertEqual(list_amount(amount, currency), format_amount(Lead.env, amount, currency),
                                     (lang, currency.name, amount))
            for moment in (datetime(2026, 3, 1, 23, 30), datetime(2026, 12, 31, 0, 15), date(2026, 7, 14)):
                self.assertEqual(list_date(moment), format_date(Lead.env, moment), (lang, tz, moment))
            self.assertEqual(list_date(False), "")
        self._login(self.user_a)
        page = self.url_open("/my/opportunities").text
        self.assertIn(format_amount(self.env, 8000, self.opp_a.company_currency), page.replace("&nbsp;", "\xa0"))
        self.assertIn(format_date(self.env["crm.lead"].with_user(self.user_a).env, self.opp_a.create_date), page)

    def test_list_links_keep_the_users_language(self):
        """The rows' links skip the website's per-link rework: they still carry the user's language."""
        lang = self.env["res.lang"]._activate_lang("fr_FR")
        self.env["website"].get_current_website().language_ids |= lang
        self._login(self.user_a)
        self.assertIn('href="/fr/my/lead/%s"' % self.lead_a.id, self.url_open("/fr/my/leads").text)
        self.assertIn('href="/fr/my/opportunity/%s"' % self.opp_a.id, self.url_open("/fr/my/opportunities").text)

    def test_lead_page_shows_details_and_both_answers(self):
        self.lead_a.description = "<p>About 20 workstations.</p>"
        self._login(self.user_a)
        response = self.url_open("/my/lead/%s" % self.lead_a.id)
        self.assertEqual(response.status_code, 200)
        for text in ("Fourvière Optique", "anne@fourviere.example.com", "About 20 workstations.", "I'm interested",
                     "I'm not interested", "I have contacted the customer", "/my/lead/%s/interested" % self.lead_a.id):
            self.assertIn(text, response.text.replace("&#39;", "'"))
        # An opportunity's lead URL leads to the opportunity page, and the other way round.
        response = self.url_open("/my/lead/%s" % self.opp_a.id, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my/opportunity/%s" % self.opp_a.id))

    def test_notification_links_lead_resellers_to_their_portal_page(self):
        self._login(self.user_a)
        response = self.url_open("/mail/view?model=crm.lead&res_id=%s" % self.opp_a.id, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my/opportunity/%s" % self.opp_a.id))
        response = self.url_open("/mail/view?model=crm.lead&res_id=%s" % self.lead_b.id, allow_redirects=False)
        self.assertNotIn("/my/lead/%s" % self.lead_b.id, response.headers.get("Location", ""))

    def test_another_resellers_lead_gives_404_naming_nothing(self):
        self._login(self.user_a)
        token = self._csrf("/my/lead/%s" % self.lead_a.id)
        missing_id = self.env["crm.lead"].search([], order="id desc", limit=1).id + 1000
        missing = self.url_open("/my/lead/%s" % missing_id)
        self.assertEqual(missing.status_code, 404)
        requests = [
            ("GET", "/my/lead/%s" % self.lead_b.id),
            ("GET", "/my/opportunity/%s" % self.opp_b.id),
            ("GET", "/my/lead/%s" % self.opp_b.id),
            ("POST", "/my/lead/%s/interested" % self.lead_b.id),
            ("POST", "/my/lead/%s/not_interested" % self.lead_b.id),
            ("POST", "/my/opportunity/%s/update" % self.opp_b.id),
            ("POST", "/my/opportunity/%s/contact" % self.opp_b.id),
        ]
        for method, url in requests:
            if method == "GET":
                response = self.url_open(url)
            else:
                data = dict(self._interested_form(), comment="x", stage_id=str(self.stage_proposition.id),
                            partner_name="Hijacked", csrf_token=token)
                response = self.url_open(url, data=data, allow_redirects=False)
            self.assertEqual(response.status_code, 404, url)
            for secret in ("Tassin", "Oullins", "Saône", "paul@", "max@"):
                self.assertNotIn(secret, response.text, url)
            # Same page as for a lead that does not exist.
            self.assertIn("This lead is not available to you", response.text)
        self.assertEqual(self.lead_b.type, "lead")
        self.assertEqual(self.lead_b.partner_assigned_id, self.reseller_b)
        self.assertEqual(self.opp_b.partner_name, "Oullins Bikes")
        self.assertEqual(self.opp_b.stage_id, self.stage_qualified)

    def test_logged_out_visitor_is_sent_to_login(self):
        urls = ["/my/leads", "/my/opportunities", "/my/lead/%s" % self.lead_a.id,
                "/my/opportunity/%s" % self.opp_a.id, "/my/opportunities/new"]
        for url in urls:
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 303, url)
            self.assertIn("/web/login", response.headers["Location"], url)
            self.assertNotIn(self.lead_a.name, response.text)
        # A form posted without a session changes nothing (redirected to login, or refused as a bad request).
        response = self.url_open("/my/lead/%s/interested" % self.lead_a.id, data=self._interested_form(),
                                 allow_redirects=False)
        self.assertIn(response.status_code, (303, 400))
        self.assertEqual(self.lead_a.type, "lead")
        # After logging out, the same pages send back to the login page.
        self._login(self.user_a)
        self.assertEqual(self.url_open("/my/leads").status_code, 200)
        self.logout()
        response = self.url_open("/my/leads", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_public_and_other_users_cannot_call_the_portal_methods(self):
        public = self.env.ref("base.public_user")
        for user in (public, self.user_b, self.user_customer):
            lead = self.lead_a.with_user(user)
            opportunity = self.opp_a.with_user(user)
            with self.assertRaises(AccessError, msg=user.login):
                lead.partner_interested(self._interested_form())
            with self.assertRaises(AccessError, msg=user.login):
                lead.partner_desinterested({})
            with self.assertRaises(AccessError, msg=user.login):
                opportunity.update_lead_portal({"stage_id": self.stage_proposition.id})
            with self.assertRaises(AccessError, msg=user.login):
                opportunity.update_contact_details_portal({"phone": "+33 1"})
        with self.assertRaises(AccessError):
            self.env["crm.lead"].with_user(public).create_opportunity_portal({"name": "x"})
        with self.assertRaises(AccessError):
            self.lead_a.with_user(public).read(["name"])
        self.assertEqual(self.lead_a.partner_assigned_id, self.reseller_a)
        self.assertEqual(self.opp_a.stage_id, self.stage_qualified)

    def test_reseller_never_writes_leads_directly(self):
        with self.assertRaises(AccessError):
            self.opp_a.with_user(self.user_a).write({"expected_revenue": 1})
        with self.assertRaises(AccessError):
            self.env["crm.lead"].with_user(self.user_a).create({"name": "Forged"})
        self.assertEqual(self.lead_a.with_user(self.user_a).read(["name"])[0]["name"], self.lead_a.name)
        with self.assertRaises(AccessError):
            self.lead_b.with_user(self.user_a).read(["name"])

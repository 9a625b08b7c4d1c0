from odoo.tests import tagged

from .common_portal import PartnerPortalCase


@tagged("post_install", "-at_install")
class TestPageQueryCounts(PartnerPortalCase):
    """Portal pages cost the same number of queries whatever the number of records behind them
    (the /partners directory has its own, in test_directory)."""

    def _queries(self, url):
        for _warm_up in range(2):
            self.url_open(url)
        before = self.cr.sql_log_count
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return self.cr.sql_log_count - before

    def _list_urls(self):
        return [
            "/my/leads", "/my/opportunities", "/my/leads/page/2", "/my/leads?sortby=revenue&period=month",
            "/my/leads?search=lead&sortby=name", "/my/opportunities?filterby=stage_%s" % self.stage_qualified.id,
            "/my/opportunities?filterby=won",
        ]

    def test_my_leads_and_opportunities_cost_the_same_for_2_and_100_records(self):
        self._login(self.user_a)
        few = [self._queries(url) for url in self._list_urls()]
        for index in range(100):
            self._portal_lead("Bulk lead %03d" % index, self.reseller_a,
                              type="lead" if index % 2 else "opportunity", stage_id=self.stage_qualified.id,
                              expected_revenue=1000 + index)
        self.env.flush_all()
        many = [self._queries(url) for url in self._list_urls()]
        self.assertEqual(few, many)
        page = self.url_open("/my/leads").text
        self.assertEqual(page.count('class="o_pp_row"'), 51)

    def test_my_leads_list_page_runs_a_fixed_number_of_queries(self):
        """The list's own work, from a cold cache: the user and its company, the company's contacts (one query per
        level), the stage counts (which give the total), the stages' names, the rows, their company and its
        currency; the same for 2 or 100 rows."""
        Lead = self.env["crm.lead"].with_user(self.user_a)
        for _warm_up in range(2):
            Lead._portal_list_page("opportunity")
        for lead_type, count in (("lead", 1), ("opportunity", 1)):
            self.env.invalidate_all()
            with self.assertQueryCount(10):
                listing = Lead._portal_list_page(lead_type)
            self.assertEqual(len(listing["rows"]), count)
        for index in range(100):
            self._portal_lead("Bulk lead %03d" % index, self.reseller_a,
                              type="lead" if index % 2 else "opportunity", stage_id=self.stage_qualified.id)
        self.env.flush_all()
        for lead_type, count in (("lead", 51), ("opportunity", 51)):
            self.env.invalidate_all()
            with self.assertQueryCount(10):
                listing = Lead._portal_list_page(lead_type)
            self.assertEqual(len(listing["rows"]), count)

    def test_my_leads_resolve_the_company_contacts_once(self):
        """The record rule's child_of costs a query per level of the company's contacts: resolved once per
        page, a contact of a contact (one more level) costs one more query, not one more per search."""
        self._login(self.user_a)
        flat = [self._queries(url) for url in self._list_urls()]
        self.env["res.partner"].create({"name": "Contact of a contact", "parent_id": self.contact_a2.id})
        self.env.flush_all()
        deeper = [self._queries(url) for url in self._list_urls()]
        self.assertEqual(deeper, [count + 1 for count in flat])

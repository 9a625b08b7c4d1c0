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

    def test_my_leads_and_opportunities_cost_the_same_for_2_and_100_records(self):
        self._login(self.user_a)
        few = self._queries("/my/leads"), self._queries("/my/opportunities")
        for index in range(100):
            self._portal_lead("Bulk lead %03d" % index, self.reseller_a,
                              type="lead" if index % 2 else "opportunity", stage_id=self.stage_qualified.id)
        self.env.flush_all()
        many = self._queries("/my/leads"), self._queries("/my/opportunities")
        self.assertEqual(few, many)

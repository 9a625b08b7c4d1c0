from odoo.tests import HttpCase, tagged

from .test_fund_request import FundRequestCase


@tagged("post_install", "-at_install")
class TestFundRequestTour(HttpCase, FundRequestCase):
    """In Chromium: request → approve → claim with a file → approve → the vendor bill → the new balance."""

    def _build_backend_assets(self):
        """Build the backend's bundles before the browser asks for them. Built on demand, the JS and the CSS
        compile in two parallel requests, and on a loaded machine the second one can wait past the test
        cursor's 20 s lock (a tour failing for the machine, not for the code)."""
        bundle = self.env["ir.qweb"]._get_asset_bundle("web.assets_web")
        bundle.js()
        bundle.css()

    def _form_url(self, fund_request):
        return "/odoo/action-partner_program.partner_fund_request_action/%s" % fund_request.id

    def test_request_approve_claim_approve_then_the_portal_shows_the_new_balance(self):
        self.assertEqual(self._fund_figures(), (5000, 0, 5000))
        # (a) the reseller requests funds from its program page
        self.start_tour("/my/partner-program", "partner_program_fund_request", login=self.portal_user.login)
        fund_request = self.env["partner.fund.request"].search([("name", "=", "Tour trade show")])
        self.assertRecordValues(fund_request, [{
            "state": "submitted", "fund_id": self.fund.id, "amount": 2000, "activity_type": "event",
            "requested_by_id": self.portal_user.id, "expected_results": "40 qualified leads",
        }])

        # (b) a partner manager approves it in full
        self._build_backend_assets()
        self.start_tour(self._form_url(fund_request), "partner_program_fund_request_approve",
                        login=self.manager.login)
        self.assertRecordValues(fund_request, [{"state": "approved", "approved_amount": 2000,
                                                "reserved_amount": 2000}])
        self.assertEqual(self._fund_figures(), (5000, 2000, 3000))

        # (c) the reseller claims 1,500 with its invoice
        self.start_tour(fund_request.access_url, "partner_program_fund_request_claim",
                        login=self.portal_user.login)
        self.assertRecordValues(fund_request, [{"state": "claimed", "claim_amount": 1500,
                                                "claim_results": "52 leads, 6 demos"}])
        proof = fund_request.claim_attachment_ids
        self.assertEqual((proof.name, proof.mimetype, proof.res_model, proof.res_id),
                         ("stand-invoice.pdf", "application/pdf", fund_request._name, fund_request.id))

        # (d) the manager approves the claim: the fund is debited, the vendor bill exists
        self.start_tour(self._form_url(fund_request), "partner_program_fund_request_approve_claim",
                        login=self.manager.login)
        self.assertEqual(fund_request.state, "claim_approved")
        bill = self.env["account.move"].search([("partner_id", "=", self.reseller.id),
                                                ("move_type", "=", "in_invoice")])
        self.assertEqual(bill, fund_request.move_id)
        self.assertRecordValues(bill, [{"partner_id": self.reseller.id, "amount_total": 1500,
                                        "currency_id": self.fund.currency_id.id, "ref": "Tour trade show"}])
        self.assertEqual(self._fund_figures(), (3500, 0, 3500))

        # (e) the reseller's program page shows the new balance, nothing reserved
        self.start_tour("/my/partner-program", "partner_program_fund_request_balance", login=self.portal_user.login)

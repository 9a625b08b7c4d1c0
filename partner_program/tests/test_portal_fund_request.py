from odoo.tests import tagged

from .common_http import FormHttpCase
from .test_fund_request import PDF, PNG, FundRequestCase


@tagged("post_install", "-at_install")
class TestPortalFundRequest(FormHttpCase, FundRequestCase):
    def _post_files(self, url, data, files, csrf_from):
        token = self._csrf(csrf_from)
        return self.url_open(url, data=dict(data, csrf_token=token), files=files, allow_redirects=False)

    def _last_request(self):
        return self.env["partner.fund.request"].search([("fund_id", "=", self.fund.id)], limit=1, order="id desc")

    def test_request_approve_claim_approve_and_the_portal_shows_the_new_balance(self):
        self._login(self.portal_user)
        page = self.url_open("/my/partner-program").text
        self.assertIn('href="/my/fund-requests/new"', page)
        self.assertIn("o_fund_available", page)

        response = self._post_files("/my/fund-requests/new", self._form(),
                                    [("attachments", ("plan.pdf", PDF, "application/pdf"))], "/my/fund-requests/new")
        self.assertEqual(response.status_code, 303, response.text[:500])
        fund_request = self._last_request()
        self.assertTrue(response.headers["Location"].endswith("/my/fund-requests/%s" % fund_request.id))
        self.assertEqual(fund_request.request_attachment_ids.mapped("name"), ["plan.pdf"])
        page = self.url_open("/my/fund-requests/%s" % fund_request.id).text
        self.assertIn("Lyon trade show", page)
        self.assertIn("o_portal_chatter", page)
        plan_url = "/my/fund-requests/%s/files/%s" % (fund_request.id, fund_request.request_attachment_ids.id)
        self.assertIn(plan_url, page)
        self.assertEqual(self.url_open(plan_url).content, PDF)
        self.assertNotIn("o_fund_claim_form", page)  # nothing to claim before the approval
        self.assertIn("Lyon trade show", self.url_open("/my/fund-requests").text)

        fund_request.with_user(self.manager).action_approve()
        page = self.url_open("/my/partner-program").text
        self.assertIn("2,000.00", page)  # reserved
        self.assertIn("3,000.00", page)  # available

        url = "/my/fund-requests/%s" % fund_request.id
        response = self._post_files(url + "/claim", {"claim_amount": "1500", "claim_results": "52 leads"},
                                    [("attachments", ("stand.png", PNG, "image/png"))], url)
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertEqual(fund_request.state, "claimed")
        proof = fund_request.claim_attachment_ids
        proof_url = "%s/files/%s" % (url, proof.id)
        self.assertEqual(self.url_open(proof_url).content, PNG)
        # a file of another record through this request's address: 404
        other = self.env["ir.attachment"].create({"name": "secret.pdf", "raw": PDF, "res_model": "res.partner",
                                                  "res_id": self.other.id})
        self.assertEqual(self.url_open("%s/files/%s" % (url, other.id)).status_code, 404)

        fund_request.with_user(self.manager).action_approve_claim()
        self.assertEqual(fund_request.move_id.move_type, "in_invoice")
        page = self.url_open("/my/partner-program").text
        self.assertIn("3,500.00", page)
        self.assertIn("Fund request: Lyon trade show", page)

        # claiming again is refused, nothing changes
        response = self._post_files(url + "/claim", {"claim_amount": "1", "claim_results": "again"},
                                    [("attachments", ("stand.png", PNG, "image/png"))], "/my/fund-requests/new")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(fund_request.claim_amount, 1500)

        # another partner's user sees nothing of it
        self._login(self.other_user)
        self.assertEqual(self.url_open(url).status_code, 404)
        self.assertEqual(self.url_open(proof_url).status_code, 404)
        self.assertNotEqual(self.url_open("/web/content/%s" % proof.id).content, PNG)
        self.assertNotIn("Lyon trade show", self.url_open("/my/fund-requests").text)

    def test_other_company_and_logged_out_get_nothing(self):
        fund_request = self._request()
        fund_request.with_user(self.manager).action_approve()
        url = "/my/fund-requests/%s" % fund_request.id
        self._login(self.other_user)
        self.assertEqual(self.url_open(url).status_code, 404)
        self.assertEqual(self.url_open("/my/fund-requests/999999999").status_code, 404)
        token = self._csrf("/my/fund-requests/new")
        response = self.url_open(url + "/claim", data={"claim_amount": "10", "claim_results": "x", "csrf_token": token},
                                 files=[("attachments", ("a.pdf", PDF, "application/pdf"))], allow_redirects=False)
        self.assertEqual(response.status_code, 404)
        # drawing from another company's fund is refused, nothing created
        response = self.url_open("/my/fund-requests/new", data=dict(self._form(), csrf_token=token),
                                 allow_redirects=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.env["partner.fund.request"].search_count([("fund_id", "=", self.fund.id)]), 1)
        self.assertEqual(fund_request.state, "approved")

        self._login(None)
        for path in (url, "/my/fund-requests", "/my/fund-requests/new"):
            response = self.url_open(path, allow_redirects=False)
            self.assertEqual(response.status_code, 303, path)
            self.assertIn("/web/login", response.headers["Location"])

    def test_bad_input_shows_the_form_again_and_writes_nothing(self):
        self._login(self.portal_user)
        for values in ({"amount": "nan"}, {"amount": "-10"}, {"name": "A\x00B"}, {"description": "x" * 1_000_000},
                       {"amount": "999999"}):
            with self.subTest(values=values):
                response = self._post("/my/fund-requests/new", self._form(**values))
                self.assertEqual(response.status_code, 400)
                self.assertIn("nothing was saved", response.text)
        response = self._post_files("/my/fund-requests/new", self._form(),
                                    [("attachments", ("run.pdf", b"#!/bin/sh\nrm -rf /\n", "application/pdf"))],
                                    "/my/fund-requests/new")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._last_request())
        self.assertFalse(self.env["ir.attachment"].search([("res_model", "=", "partner.fund.request")]))

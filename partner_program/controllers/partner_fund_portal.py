from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from ..forms.form import submit_form
from ..forms.partner_fund import FUND_CLAIM_FORM, FUND_REQUEST_FORM


class PartnerFundPortal(CustomerPortal):
    """Market development funds in the portal: request funds, follow the requests, claim with proof.

    Routes parse the request, call one partner.fund.request method and render; the rules live on the model.
    """

    @staticmethod
    def _posted_files():
        return [(upload.filename, upload.read()) for upload in request.httprequest.files.getlist("attachments")]

    def _fund_request(self, request_id):
        """The request with the user's rights if the user may read it (its own company's), else None."""
        try:
            fund_request = request.env["partner.fund.request"].browse(request_id).exists()
            if not fund_request:
                return None
            fund_request.check_access("read")
        except (AccessError, MissingError):
            return None
        return fund_request

    @http.route(["/my/fund-requests", "/my/fund-requests/page/<int:page>"], type="http", auth="user",
                website=True, readonly=True)
    def portal_my_fund_requests(self, page=1, **kw):
        FundRequest = request.env["partner.fund.request"]
        if not FundRequest.has_access("read"):
            raise request.not_found()
        pager = portal_pager(url="/my/fund-requests", total=FundRequest.search_count([]), page=page,
                             step=self._items_per_page)
        values = self._prepare_portal_layout_values()
        values.update({
            "fund_requests": FundRequest.search([], limit=self._items_per_page, offset=pager["offset"]),
            "pager": pager,
            "page_name": "fund_requests",
            "done_message": request.session.pop("partner_program_fund_done", None),
        })
        return request.render("partner_program.portal_my_fund_requests", values)

    @http.route("/my/fund-requests/new", type="http", auth="user", website=True, methods=["GET", "POST"])
    def portal_fund_request_new(self, **post):
        FundRequest = request.env["partner.fund.request"]
        funds = request.env["partner.fund"].search([]) if FundRequest.has_access("read") else None
        if not funds:
            raise request.not_found()
        errors, error = {}, None
        if request.httprequest.method == "POST":
            fund_request, errors, error = submit_form(
                request.env, FundRequest._portal_create_request, post, self._posted_files())
            if errors is None:
                request.session["partner_program_fund_done"] = request.env._(
                    "Your request is sent: your partner manager will answer it here.")
                return request.redirect(fund_request.access_url)
        values = self._prepare_portal_layout_values()
        values.update({
            "funds": funds,
            "fields": FUND_REQUEST_FORM.widgets(FundRequest),
            "posted": post if errors or error else {"fund_id": post.get("fund_id", "")},
            "errors": errors or {},
            "error": error,
            "page_name": "fund_request_new",
        })
        return request.render("partner_program.portal_fund_request_new", values,
                              status=400 if errors or error else 200)

    @http.route("/my/fund-requests/<int:request_id>", type="http", auth="user", website=True, readonly=True)
    def portal_my_fund_request(self, request_id, **kw):
        fund_request = self._fund_request(request_id)
        if not fund_request:
            raise request.not_found()
        return self._render_fund_request(fund_request)

    def _render_fund_request(self, fund_request, posted=None, errors=None, error=None, status=200):
        values = self._prepare_portal_layout_values()
        values.update({
            "fund_request": fund_request,
            # portal users have no access to ir.attachment: the files are read here, after the request's check,
            # and served by portal_fund_request_file below
            "request_files": fund_request.sudo().request_attachment_ids,
            "claim_files": fund_request.sudo().claim_attachment_ids,
            "claim_fields": FUND_CLAIM_FORM.widgets(fund_request),
            "posted": posted or {},
            "errors": errors or {},
            "error": error,
            "done_message": request.session.pop("partner_program_fund_done", None),
            "page_name": "fund_request",
        })
        values = self._get_page_view_values(fund_request, None, values, "my_fund_requests_history", False)
        return request.render("partner_program.portal_my_fund_request", values, status=status)

    @http.route("/my/fund-requests/<int:request_id>/claim", type="http", auth="user", website=True,
                methods=["POST"])
    def portal_fund_request_claim(self, request_id, **post):
        fund_request = self._fund_request(request_id)
        if not fund_request:
            raise request.not_found()
        __, errors, error = submit_form(request.env, fund_request._portal_claim, post, self._posted_files())
        if errors is None:
            request.session["partner_program_fund_done"] = request.env._(
                "Your claim is sent: your partner manager will check it.")
            return request.redirect(fund_request.access_url)
        return self._render_fund_request(fund_request, posted=post, errors=errors, error=error, status=400)

    @http.route("/my/fund-requests/<int:request_id>/files/<int:attachment_id>", type="http", auth="user",
                website=True, readonly=True)
    def portal_fund_request_file(self, request_id, attachment_id, **kw):
        """A file of the request, to whoever may read the request (404 otherwise, and for any other file)."""
        fund_request = self._fund_request(request_id)
        if not fund_request:
            raise request.not_found()
        attachment = fund_request._portal_file(attachment_id)
        if not attachment:
            raise request.not_found()
        return request.env["ir.binary"]._get_stream_from(attachment).get_response(as_attachment=True)

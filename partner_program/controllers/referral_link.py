from datetime import datetime, timedelta

from odoo import http
from odoo.http import request

from ..models.partner_group import REFERRAL_COOKIE


class ReferralLinkController(http.Controller):
    @http.route("/r/<string:code>", type="http", auth="public", website=True, sitemap=False, methods=["GET"])
    def referral_link(self, code, **kwargs):
        """A partner's referral link: count the click, set the attribution cookie, redirect (302) to the group's
        destination. The query string (``?next=``, ``?redirect=``...) is ignored on purpose: visitors are only
        ever sent to the destination the group configured, so the link is no open redirect."""
        Link = request.env["partner.referral.link"]
        link = Link._register_click(code) if request.httprequest.method == "GET" else Link._from_cookie(code)
        if not link:
            raise request.not_found()
        url = link._destination_url()
        response = request.redirect(url, code=302, local=url.startswith("/"))
        days = link.group_id.cookie_days
        response.set_cookie(
            REFERRAL_COOKIE, link.code, max_age=days * 24 * 3600, expires=datetime.now() + timedelta(days=days),
            httponly=True,
            samesite="Lax", secure=request.httprequest.scheme == "https", cookie_type="optional",
        )
        return response

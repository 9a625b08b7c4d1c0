from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from ..forms.form import search_text, submit_form
from ..forms.reseller_portal import (
    CONTACT_DETAILS_FORM,
    INTERESTED_FORM,
    NOT_INTERESTED_FORM,
    OPPORTUNITY_UPDATE_FORM,
)
from .links import direct_link_prefix


class ResellerPortal(CustomerPortal):
    """Reseller portal: /my/leads, /my/opportunities, lead feedback, opportunity updates (deal registration:
    deal_registration_portal.py).

    Routes only parse the request, call one crm.lead method and render; the rules live on crm.lead.

    The lists only read: they are ``readonly=True``, and with ``db_replica_host`` Odoo serves them from the read
    replica, which may lag a moment behind the primary. The rule that keeps this safe: a list from a lagging
    replica may still show a lead that was just answered, but the answer is a POST served by the primary, whose
    crm.lead method locks the lead and checks its state again, so a second answer is refused (409, or 404 once
    the lead left the reseller) and records nothing. A lead's page stays on the primary: Odoo's portal pager
    (previous/next record, from the list's history) gives those records an access token the first time, a write.
    """

    def _redirect_done(self, url, key):
        """Redirect after a successful form; the next page says it worked (once, kept in the session)."""
        request.session["partner_program_done"] = key
        return request.redirect(url)

    def _pop_done_message(self):
        return {
            "accepted": request.env._("The lead is now your opportunity. Your next activity is planned."),
            "declined": request.env._("Thank you for your feedback: the lead has left your list."),
            "updated": request.env._("Your changes are saved."),
            "contact": request.env._("The contact details are saved."),
        }.get(request.session.pop("partner_program_done", None))

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        Lead = request.env["crm.lead"]
        if {"lead_count", "opp_count"} & set(counters) and Lead._portal_is_reseller():
            counts = Lead._portal_counts()
            if "lead_count" in counters:
                values["lead_count"] = counts["lead"]
            if "opp_count" in counters:
                values["opp_count"] = counts["opportunity"]
        return values

    # ------------------------------------------------------------------ lists
    @http.route(["/my/leads", "/my/leads/page/<int:page>"], type="http", auth="user", website=True, readonly=True)
    def portal_my_leads(self, page=1, sortby=None, filterby=None, period=None, search=None, **kw):
        return self._render_lead_list("lead", page, sortby, filterby, period, search)

    @http.route(["/my/opportunities", "/my/opportunities/page/<int:page>"], type="http", auth="user",
                website=True, readonly=True)
    def portal_my_opportunities(self, page=1, sortby=None, filterby=None, period=None, search=None, **kw):
        return self._render_lead_list("opportunity", page, sortby, filterby, period, search)

    def _render_lead_list(self, lead_type, page, sortby, filterby, period, search):
        search = search_text(search)
        listing = request.env["crm.lead"]._portal_list_page(
            lead_type, page=page, step=self._items_per_page, sortby=sortby, filterby=filterby, period=period,
            search=search)
        url = "/my/leads" if lead_type == "lead" else "/my/opportunities"
        pager = portal_pager(
            url=url,
            url_args={"sortby": listing["sortby"], "filterby": listing["filterby"], "period": listing["period"],
                      "search": search},
            total=listing["total"],
            page=listing["page"],
            step=self._items_per_page,
        )
        request.session["my_%s_history" % lead_type] = [row["id"] for row in listing["rows"]][:100]
        values = self._prepare_portal_layout_values()
        values.update({
            "rows": listing["rows"],
            "link_prefix": direct_link_prefix(),  # the rows' links: see links.direct_link_prefix
            "lead_type": lead_type,
            "page_name": lead_type,
            "default_url": url,
            "pager": pager,
            "searchbar_sortings": listing["sortings"],
            "sortby": listing["sortby"],
            "searchbar_filters": listing["filters"],
            "filterby": listing["filterby"],
            "searchbar_periods": listing["periods"],
            "period": listing["period"],
            # the label names what is searched: it is the dropdown's only entry and the box's placeholder
            "searchbar_inputs": {"all": {"input": "all", "label": request.env._(
                "Search in name, company, contact, e-mail or city")}},
            "search_in": "all",
            "search": search,
            "is_reseller": request.env["crm.lead"]._portal_is_reseller(),
            "done_message": self._pop_done_message(),
        })
        return request.render("partner_program.portal_my_leads", values)

    # ------------------------------------------------------------------ one lead
    def _portal_lead(self, lead_id):
        """The lead or opportunity as sudo record if assigned to the user's company, else None.

        Missing and not-mine look the same (a 404 that names nothing).
        """
        try:
            lead_sudo = self._document_check_access("crm.lead", lead_id)
            lead_sudo.with_user(request.env.user)._check_portal_access()
        except (AccessError, MissingError):
            return None
        return lead_sudo

    def _render_unavailable(self):
        return request.render("partner_program.portal_lead_unavailable", self._prepare_portal_layout_values(),
                              status=404)

    @http.route("/my/lead/<int:lead_id>", type="http", auth="user", website=True)
    def portal_my_lead(self, lead_id, **kw):
        lead_sudo = self._portal_lead(lead_id)
        if not lead_sudo:
            return self._render_unavailable()
        if lead_sudo.type == "opportunity":
            return request.redirect("/my/opportunity/%s" % lead_id)
        return self._render_lead(lead_sudo)

    def _render_lead(self, lead_sudo, form=None, errors=None, error=None, posted=None, status=200):
        values = self._prepare_portal_layout_values()
        values.update({
            "lead": lead_sudo,
            "page_name": "lead",
            "activity_types": lead_sudo._portal_activity_types(),
            "interested_fields": INTERESTED_FORM.widgets(request.env["crm.lead"]),
            "not_interested_fields": NOT_INTERESTED_FORM.widgets(request.env["crm.lead"]),
            "form": form,
            "errors": errors or {},
            "error": error,
            "posted": posted or {},
        })
        values = self._get_page_view_values(lead_sudo, None, values, "my_lead_history", False)
        return request.render("partner_program.portal_my_lead", values, status=status)

    @http.route("/my/lead/<int:lead_id>/interested", type="http", auth="user", website=True, methods=["POST"])
    def portal_lead_interested(self, lead_id, **post):
        return self._answer_lead(lead_id, "interested", post)

    @http.route("/my/lead/<int:lead_id>/not_interested", type="http", auth="user", website=True,
                methods=["POST"])
    def portal_lead_not_interested(self, lead_id, **post):
        return self._answer_lead(lead_id, "not_interested", post)

    def _answer_lead(self, lead_id, answer, post):
        interested = answer == "interested"
        return self._portal_post(
            lead_id, "partner_interested" if interested else "partner_desinterested", post,
            "/my/opportunity/%s" % lead_id if interested else "/my/leads", "accepted" if interested else "declined",
            lambda lead_sudo, errors, error: self._render_lead(
                lead_sudo, form=answer, errors=errors, error=error, posted=post, status=409 if error else 400),
        )

    def _portal_post(self, lead_id, method_name, post, done_url, done_message, render_errors):
        """A portal form on one lead: check the lead is mine, run one crm.lead portal method on the
        posted values, then redirect to ``done_url`` or re-render the page with the errors."""
        lead_sudo = self._portal_lead(lead_id)
        if not lead_sudo:
            return self._render_unavailable()
        post.pop("csrf_token", None)
        method = getattr(request.env["crm.lead"].browse(lead_id), method_name)
        try:
            _result, errors, error = submit_form(request.env, method, post)
        except AccessError:
            return self._render_unavailable()
        if errors is None:
            return self._redirect_done(done_url, done_message)
        return render_errors(lead_sudo, errors, error)

    # ------------------------------------------------------------------ one opportunity
    @http.route("/my/opportunity/<int:lead_id>", type="http", auth="user", website=True)
    def portal_my_opportunity(self, lead_id, **kw):
        lead_sudo = self._portal_lead(lead_id)
        if not lead_sudo:
            return self._render_unavailable()
        if lead_sudo.type == "lead":
            return request.redirect("/my/lead/%s" % lead_id)
        return self._render_opportunity(lead_sudo, done_message=self._pop_done_message())

    def _render_opportunity(self, lead_sudo, form=None, errors=None, error=None, posted=None, status=200,
                            done_message=None):
        values = self._prepare_portal_layout_values()
        values.update({
            "opportunity": lead_sudo,
            "page_name": "opportunity",
            "stages": lead_sudo._portal_stages(),
            "activity_types": lead_sudo._portal_activity_types(),
            "user_activity": lead_sudo.with_user(request.env.user)._portal_user_activity().sudo(),
            "countries": request.env["res.country"].sudo().search([]),
            "states": request.env["res.country.state"].sudo().search([]),
            "is_open": lead_sudo._portal_is_open(),
            "update_fields": OPPORTUNITY_UPDATE_FORM.widgets(request.env["crm.lead"]),
            "contact_fields": CONTACT_DETAILS_FORM.widgets(request.env["crm.lead"]),
            "form": form,
            "errors": errors or {},
            "error": error,
            "posted": posted or {},
            "done_message": done_message,
        })
        values = self._get_page_view_values(lead_sudo, None, values, "my_opportunity_history", False)
        return request.render("partner_program.portal_my_opportunity", values, status=status)

    @http.route("/my/opportunity/<int:lead_id>/update", type="http", auth="user", website=True,
                methods=["POST"])
    def portal_opportunity_update(self, lead_id, **post):
        return self._update_opportunity(lead_id, "update", post)

    @http.route("/my/opportunity/<int:lead_id>/contact", type="http", auth="user", website=True,
                methods=["POST"])
    def portal_opportunity_contact(self, lead_id, **post):
        return self._update_opportunity(lead_id, "contact", post)

    def _update_opportunity(self, lead_id, form, post):
        return self._portal_post(
            lead_id, "update_lead_portal" if form == "update" else "update_contact_details_portal", post,
            "/my/opportunity/%s" % lead_id, "updated" if form == "update" else "contact",
            lambda lead_sudo, errors, error: self._render_opportunity(
                lead_sudo, form=form, errors=errors, error=error, posted=post, status=400),
        )

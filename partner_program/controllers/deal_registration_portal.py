from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from ..forms.form import submit_form
from ..forms.reseller_portal import DEAL_REGISTRATION_FORM


class DealRegistrationPortal(CustomerPortal):
    """Deal registration on the reseller portal: the form, /my/registrations and one registration's page.

    Routes only parse the request, call one partner.deal.registration method and render; the rules live there.
    """

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "registration_count" in counters:
            Registration = request.env["partner.deal.registration"]
            values["registration_count"] = Registration._portal_counts() \
                if request.env["crm.lead"]._portal_is_reseller() else 0
        return values

    # ------------------------------------------------------------------ the form
    @http.route(["/my/registrations/new", "/my/opportunities/new"], type="http", auth="user", website=True,
                methods=["GET", "POST"])
    def portal_registration_new(self, **post):
        Registration = request.env["partner.deal.registration"]
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "registration_new", "errors": {}, "error": None, "posted": {},
                       "deal_fields": DEAL_REGISTRATION_FORM.widgets(Registration),
                       "questions": Registration._portal_questions(),
                       "intro": Registration._portal_group().deal_registration_intro})
        if not Registration._portal_can_register():
            values["error"] = request.env._("Only resellers with a partner level can register deals.")
            return request.render("partner_program.portal_opportunity_new", values, status=403)
        if request.httprequest.method == "POST":
            post.pop("csrf_token", None)
            registration, errors, error = submit_form(request.env, Registration.register_portal, post)
            if errors is None:
                request.session["partner_program_done"] = "registered"
                return request.redirect("/my/registration/%s" % registration.id)
            values.update(errors=errors, error=error, posted=post)
            return request.render("partner_program.portal_opportunity_new", values, status=400)
        return request.render("partner_program.portal_opportunity_new", values)

    # ------------------------------------------------------------------ list
    @http.route(["/my/registrations", "/my/registrations/page/<int:page>"], type="http", auth="user", website=True,
                readonly=True)
    def portal_my_registrations(self, page=1, **kw):
        Registration = request.env["partner.deal.registration"]
        if not request.env["crm.lead"]._portal_is_reseller():
            return request.redirect("/my")
        domain = [("partner_id", "=", request.env.user.commercial_partner_id.id)]
        pager = portal_pager(url="/my/registrations", total=Registration.search_count(domain), page=page,
                             step=self._items_per_page)
        registrations = Registration.search(domain, limit=self._items_per_page, offset=pager["offset"])
        request.session["my_registrations_history"] = registrations.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update({"registrations": registrations, "page_name": "registrations", "pager": pager,
                       "default_url": "/my/registrations",
                       "can_register": Registration._portal_can_register()})
        return request.render("partner_program.portal_my_registrations", values)

    # ------------------------------------------------------------------ one registration
    def _portal_registration(self, registration_id):
        """The registration (sudo) when it is my company's, else None: missing and not mine look the same."""
        try:
            return self._document_check_access("partner.deal.registration", registration_id)
        except (AccessError, MissingError):
            return None

    def _render_registration(self, registration_sudo, error=None, status=200):
        values = self._prepare_portal_layout_values()
        done = request.session.pop("partner_program_done", None)
        values.update({
            "registration": registration_sudo,
            "page_name": "registration",
            "error": error,
            "errors": {},
            "done_message": {
                "registered": request.env._("Your deal registration is sent."),
                "closed": request.env._("Your deal is closed."),
            }.get(done),
        })
        values = self._get_page_view_values(registration_sudo, None, values, "my_registrations_history", False)
        return request.render("partner_program.portal_my_registration", values, status=status)

    def _render_registration_unavailable(self):
        return request.render("partner_program.portal_registration_unavailable",
                              self._prepare_portal_layout_values(), status=404)

    @http.route("/my/registration/<int:registration_id>", type="http", auth="user", website=True)
    def portal_my_registration(self, registration_id, **kw):
        registration_sudo = self._portal_registration(registration_id)
        if not registration_sudo:
            return self._render_registration_unavailable()
        return self._render_registration(registration_sudo)

    @http.route("/my/registration/<int:registration_id>/close", type="http", auth="user", website=True,
                methods=["POST"])
    def portal_registration_close(self, registration_id, won=None, **kw):
        registration_sudo = self._portal_registration(registration_id)
        if not registration_sudo:
            return self._render_registration_unavailable()
        registration = request.env["partner.deal.registration"].browse(registration_id)
        try:
            with request.env.cr.savepoint():
                registration.close_portal(won == "1")
        except AccessError:
            return self._render_registration_unavailable()
        except UserError as error:
            return self._render_registration(registration_sudo, error=error.args[0], status=400)
        request.session["partner_program_done"] = "closed"
        return request.redirect("/my/registration/%s" % registration_id)

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from ..forms.form import submit_form
from ..forms.referral import CUSTOM_LINK_FORM, LEAD_SUBMISSION_FORM


class ReferralPortal(CustomerPortal):
    """Partners' referral and reward pages: /my/referrals (links, offers, submitted leads), /my/leads/submit,
    /my/rewards (rewards and commission statements). Routes parse, call one model method, render; access is
    ir.rule's."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "partner_reward_count" in counters:
            Reward = request.env["partner.reward"]
            values["partner_reward_count"] = Reward.search_count(self._my_rewards_domain()) if Reward.has_access(
                "read") else 0
        return values

    def _my_rewards_domain(self):
        return [("partner_id", "=", request.env.user.commercial_partner_id.id)]

    def _referral_done_message(self):
        return {
            "link": request.env._("Your new link is ready: share it."),
            "lead": request.env._("Thank you: your lead is submitted. Our team will qualify it."),
        }.get(request.session.pop("partner_program_referral_done", None))

    # ------------------------------------------------------------------ referrals
    @http.route("/my/referrals", type="http", auth="user", website=True, readonly=True)
    def portal_my_referrals(self, **kwargs):
        return self._render_referrals()

    def _render_referrals(self, errors=None, posted=None, status=200):
        partner = request.env.user.commercial_partner_id
        group = partner.sudo().partner_group_id
        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "referrals",
            "group": group,
            # Read with the user's rights: the ir.rule gives a partner its own links only.
            "links": request.env["partner.referral.link"].search([("partner_id", "=", partner.id)]),
            "offers": request.env["partner.offer"].search([("group_id", "=", group.id)]) if group else [],
            "submitted_leads": request.env["crm.lead"]._portal_submitted_leads() if group else [],
            "link_fields": CUSTOM_LINK_FORM.widgets(request.env["partner.referral.link"]),
            "errors": errors or {},
            "posted": posted or {},
            "done_message": self._referral_done_message(),
        })
        return request.render("partner_program.portal_my_referrals", values, status=status)

    @http.route("/my/referrals/links/new", type="http", auth="user", website=True, methods=["POST"])
    def portal_referral_link_new(self, **post):
        post.pop("csrf_token", None)
        try:
            _link, errors, _error = submit_form(
                request.env, request.env["partner.referral.link"].create_custom_link_portal, post)
        except AccessError as error:
            return self._render_referrals(errors={"code": error.args[0]}, posted=post, status=403)
        if errors is not None:
            return self._render_referrals(errors=errors, posted=post, status=400)
        request.session["partner_program_referral_done"] = "link"
        return request.redirect("/my/referrals")

    # ------------------------------------------------------------------ lead submission
    @http.route("/my/leads/submit", type="http", auth="user", website=True, methods=["GET", "POST"])
    def portal_lead_submit(self, **post):
        Lead = request.env["crm.lead"]
        group = Lead._portal_submission_group()
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "lead_submit", "group": group, "errors": {}, "error": None, "posted": {},
                       "questions": group.lead_question_ids, "submit_fields": LEAD_SUBMISSION_FORM.widgets(Lead)})
        if not group:
            values["error"] = request.env._("Your company is in no partner group taking lead submissions.")
            return request.render("partner_program.portal_lead_submit", values, status=403)
        if request.httprequest.method == "POST":
            post.pop("csrf_token", None)
            try:
                _lead, errors, error = submit_form(request.env, Lead.submit_lead_portal, post)
            except AccessError as error:
                values["error"] = error.args[0]
                return request.render("partner_program.portal_lead_submit", values, status=403)
            if errors is not None:
                values.update(errors=errors, error=error, posted=post)
                return request.render("partner_program.portal_lead_submit", values, status=400)
            request.session["partner_program_referral_done"] = "lead"
            return request.redirect("/my/referrals")
        return request.render("partner_program.portal_lead_submit", values)

    # ------------------------------------------------------------------ rewards and statements
    @http.route(["/my/rewards", "/my/rewards/page/<int:page>"], type="http", auth="user", website=True,
                readonly=True)
    def portal_my_rewards(self, page=1, **kwargs):
        Reward = request.env["partner.reward"]
        Statement = request.env["partner.commission.statement"]
        values = self._prepare_portal_layout_values()
        domain = self._my_rewards_domain()
        if not Reward.has_access("read"):
            rewards, statements, total = Reward, Statement, 0
        else:
            total = Reward.search_count(domain)
            pager = portal_pager(url="/my/rewards", total=total, page=page, step=self._items_per_page)
            rewards = Reward.search(domain, limit=self._items_per_page, offset=pager["offset"])
            statements = Statement.search(domain)
            values["pager"] = pager
        totals = {}
        if total:
            for currency, state, amount in Reward._read_group(domain, ["currency_id", "state"], ["amount:sum"]):
                totals.setdefault(currency, {})[state] = amount
        values.update({
            "page_name": "rewards",
            "rewards": rewards,
            "statements": statements,
            "totals": totals,
        })
        return request.render("partner_program.portal_my_rewards", values)

    @http.route("/my/rewards/statement/<int:statement_id>", type="http", auth="user", website=True,
                readonly=True)
    def portal_my_statement(self, statement_id, report_type=None, download=False, **kwargs):
        try:
            statement_sudo = self._document_check_access("partner.commission.statement", statement_id)
        except (AccessError, MissingError):
            # Another partner's statement answers like a missing one.
            raise request.not_found() from None
        if report_type in ("html", "pdf"):
            return self._show_report(statement_sudo, report_type,
                                     "partner_program.action_report_commission_statement", download=download)
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "statement", "statement": statement_sudo})
        return request.render("partner_program.portal_my_statement", values)

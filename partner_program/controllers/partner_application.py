from odoo import http
from odoo.http import request

from ..forms.form import submit_form
from ..forms.partner_application import APPLICATION_FORM


class PartnerApplicationController(http.Controller):
    """"Become a partner": the public application form. Rules live in partner.application._website_submit.

    Spam protection as Odoo's own forms: the CSRF token, and the route's captcha (reCAPTCHA or Turnstile when
    configured, through data-captcha on the form).
    """

    @http.route("/partners/apply", type="http", auth="public", website=True, methods=["GET", "POST"],
                captcha="partner_apply")
    def partner_apply(self, **post):
        group = request.env["partner.group"]._get_default_group(request.website.company_id)
        if not group or not group.allow_applications:
            return request.render("partner_program.partner_apply_closed", {}, status=404)
        return self._apply(group, "/partners/apply", post)

    @http.route("/partners/apply/<string:join_code>", type="http", auth="public", website=True, sitemap=False,
                methods=["GET", "POST"], captcha="partner_apply")
    def partner_apply_group(self, join_code, **post):
        # A group's join link: the applicant lands directly in that group.
        group = request.env["partner.group"]._find_by_join_code(join_code)
        if not group:
            raise request.not_found()
        return self._apply(group, "/partners/apply/%s" % group.join_code, post)

    @http.route("/partners/apply/thanks", type="http", auth="public", website=True, sitemap=False, readonly=True)
    def partner_apply_thanks(self, **kwargs):
        return request.render("partner_program.partner_apply_thanks", {})

    def _apply(self, group, action, post):
        values = dict(request.env["partner.application"]._website_form_values(group), group=group, action=action,
                      form=post, errors={}, error=False, countries=request.env["res.country"].sudo().search([]),
                      apply_fields=APPLICATION_FORM.widgets(group.sudo()))
        if request.httprequest.method == "POST":
            post.pop("csrf_token", None)
            _result, errors, error = submit_form(
                request.env, request.env["partner.application"]._website_submit, group, post)
            if errors is not None:
                values.update(errors=errors, error=error)
                return request.render("partner_program.partner_apply", values, status=400)
            # The same page whether the email applied before or not: nothing to learn about others.
            return request.redirect("/partners/apply/thanks")
        return request.render("partner_program.partner_apply", values)

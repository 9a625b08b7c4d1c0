import re
from urllib.parse import quote, urlencode

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..forms.referral import CUSTOM_LINK_FORM
from .partner_group import _new_code

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{2,31}$")


class PartnerReferralLink(models.Model):
    """A partner's referral link ``/r/<code>``: counts clicks, sets the attribution cookie and sends the
    visitor to the group's destination, never anywhere else."""

    _name = "partner.referral.link"
    _description = "Referral Link"
    _order = "is_custom, id"

    name = fields.Char("Label", required=True, default=lambda self: self.env._("Main link"))
    code = fields.Char(required=True, copy=False, default=lambda self: _new_code(8))
    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="cascade")
    group_id = fields.Many2one(related="partner_id.partner_group_id", store=True, index=True)
    company_id = fields.Many2one(related="group_id.company_id", store=True)
    is_custom = fields.Boolean("Custom Link", readonly=True, help="Created by the partner, with its own code.")
    active = fields.Boolean(default=True)
    click_count = fields.Integer("Clicks", compute="_compute_click_count",
                                 help="Every visit of the link: the clicks folded by the scheduled action and "
                                 "those logged since.")
    click_count_folded = fields.Integer("Clicks (Folded)", readonly=True, copy=False, default=0)
    signup_count = fields.Integer("Sign-ups", compute="_compute_signup_count")
    url = fields.Char("Link", compute="_compute_url")
    is_usable = fields.Boolean("Working", compute="_compute_is_usable",
                               help="The link redirects: the partner is in a group whose settings allow it.")

    _code_unique = models.Constraint("UNIQUE(code)", "This link code is already taken.")
    _one_main_link = models.UniqueIndex(
        "(partner_id) WHERE NOT is_custom", "A partner has one main referral link.",
    )

    @api.constrains("code")
    def _check_code(self):
        for link in self:
            if not CODE_RE.match(link.code or ""):
                raise ValidationError(self.env._(
                    "A link code has 3 to 32 lowercase letters, digits, - or _, and starts with a letter or digit."))

    @api.depends("code")
    def _compute_url(self):
        for link in self:
            link.url = "%s/r/%s" % (link.get_base_url(), link.code) if link.code else False

    def _compute_click_count(self):
        logged = self.env["partner.referral.click"].sudo()._counts(self._origin)
        for link in self:
            link.click_count = link.click_count_folded + logged.get(link._origin.id, 0)

    def _compute_signup_count(self):
        counts = dict(self.env["crm.lead"].sudo().with_context(active_test=False)._read_group(
            [("referral_link_id", "in", self.ids)], ["referral_link_id"], ["__count"]))
        for link in self:
            link.signup_count = counts.get(link._origin, 0)

    @api.depends("active", "is_custom", "partner_id.active", "group_id.active", "group_id.allow_referral_links",
                 "group_id.allow_custom_links")
    def _compute_is_usable(self):
        for link in self:
            link.is_usable = link._is_usable()

    def _is_usable(self):
        self.ensure_one()
        link = self.sudo()
        group = link.group_id
        return bool(
            link.active and link.partner_id.active and group.active and group.allow_referral_links
            and (not link.is_custom or group.allow_custom_links)
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("code"):
                vals["code"] = vals["code"].strip().lower()
        return super().create(vals_list)

    def write(self, vals):
        if "code" in vals:
            vals = dict(vals, code=(vals["code"] or "").strip().lower())
        return super().write(vals)

    # ------------------------------------------------------------------ clicks
    @api.model
    def _register_click(self, code):
        """The usable link of ``code`` (sudo) with its click counted, or an empty recordset.

        Counting is one INSERT into the click log (``partner.referral.click``): nothing to lock, nothing that
        can conflict, so a burst of visitors on one link all get their redirect at once.
        """
        Link = self.sudo()
        if not isinstance(code, str) or not CODE_RE.match(code.lower()):
            return Link.browse()
        link = Link.search([("code", "=", code.lower())], limit=1)
        if not link or not link._is_usable():
            return Link.browse()
        self.env["partner.referral.click"].sudo()._log(link)
        link.invalidate_recordset(["click_count"])
        return link

    def _destination_url(self):
        """Where the link sends visitors: the group's destination with its UTM parameters. Only that."""
        self.ensure_one()
        return self.sudo().group_id._destination_with_utm()

    def _share_links(self):
        """[(label, url)]: share this link on LinkedIn, X or by email, with the group's share defaults."""
        self.ensure_one()
        group = self.sudo().group_id
        text = group.share_message or group.share_title or ""
        return [
            ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": self.url})),
            ("X", "https://twitter.com/intent/tweet?" + urlencode({"url": self.url, "text": text})),
            (self.env._("Email"), "mailto:?subject=%s&body=%s" % (
                quote(group.share_title or ""), quote(("%s %s" % (text, self.url)).strip()))),
        ]

    @api.model
    def _from_cookie(self, code):
        """The usable link of an attribution cookie's value (sudo), or an empty recordset."""
        Link = self.sudo()
        if not isinstance(code, str) or not CODE_RE.match(code):
            return Link.browse()
        link = Link.search([("code", "=", code)], limit=1)
        return link if link and link._is_usable() else Link.browse()

    # ------------------------------------------------------------------ main links
    @api.model
    def _ensure_main_links(self, partners):
        """Give every partner of ``partners`` its stable main link, when it has none (one search, one create)."""
        partners = partners.filtered("partner_group_id")
        if not partners:
            return self.browse()
        Link = self.sudo().with_context(active_test=False)
        have = set(Link.search([("partner_id", "in", partners.ids), ("is_custom", "=", False)]).partner_id.ids)
        todo = partners.filtered(lambda partner: partner.id not in have)
        codes = self._free_codes(len(todo))
        return Link.create([{"partner_id": partner.id, "code": code} for partner, code in zip(todo, codes,
                                                                                              strict=True)])

    @api.model
    def _free_codes(self, count):
        codes = set()
        while len(codes) < count:
            wanted = {_new_code(8) for _index in range(count - len(codes))}
            taken = set(self.sudo().with_context(active_test=False).search([("code", "in", list(wanted))]).mapped(
                "code"))
            codes |= wanted - taken
        return list(codes)

    # ------------------------------------------------------------------ portal
    @api.model
    def create_custom_link_portal(self, values):
        """A custom link of the current user's company, with the code it chose.

        :param values: the portal form: ``code`` (3-32 letters, digits, - or _), ``name`` (label)
        :raise AccessError: the company is in no group, or its group does not allow custom links
        :raise FormError: faulty code or label; nothing is created
        :return: the link (in the caller's environment)
        """
        partner = self.env.user.commercial_partner_id
        group = partner.sudo().partner_group_id
        if not group or not group.allow_referral_links or not group.allow_custom_links:
            raise AccessError(self.env._("Your partner group does not offer custom links."))
        cleaned, errors = CUSTOM_LINK_FORM.validate(self, values)
        code, name = cleaned.get("code", "").lower(), cleaned.get("name")
        if "code" not in errors and not CODE_RE.match(code):
            errors["code"] = self.env._("3 to 32 lowercase letters, digits, - or _, starting with a letter or digit.")
        elif "code" not in errors and self.sudo().with_context(active_test=False).search_count([("code", "=", code)]):
            errors["code"] = self.env._("This code is already taken: choose another one.")
        CUSTOM_LINK_FORM.check(self, errors)
        return self.sudo().create({
            "partner_id": partner.id, "code": code, "name": name, "is_custom": True,
        }).with_env(self.env)

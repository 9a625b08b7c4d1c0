import secrets
import unicodedata
from collections import defaultdict
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

# The attribution cookie: the code of the referral link a visitor came through (kept cookie_days days).
REFERRAL_COOKIE = "pp_referral"
# The longest attribution period: ten years (a cookie's expiry must stay a valid date).
MAX_COOKIE_DAYS = 3650
# The whole group's statistics are for our staff.
STAFF = "partner_program.group_partner_program_user"


def _new_code(length=10):
    """A random lowercase code for URLs (join links, referral links): letters and digits, no look-alikes."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _index in range(length))


def _is_safe_destination(url):
    """Absolute http(s) URLs with a host, or paths of this website ("/..."); nothing else (no "//host",
    no "javascript:", no backslashes that browsers read as slashes, no spaces or control characters of any
    script: U+2028 and friends break the Location header)."""
    if not url or "\\" in url or any(
            ord(char) < 33 or unicodedata.category(char)[0] in "CZ" for char in url):
        return False
    if url.startswith("/"):
        return not url.startswith("//")
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and "@" not in parts.netloc


class PartnerGroup(models.Model):
    _name = "partner.group"
    _description = "Partner Group"
    _inherit = ["mail.thread"]
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users", "Partner Manager", default=lambda self: self.env.user, tracking=True,
        domain="[('share', '=', False)]", help="Reviews the applications to this group and follows its partners.",
    )
    is_default = fields.Boolean(
        "Default Group", tracking=True, copy=False,
        help="Applications sent without a group's join link land in this group. One default group per company.",
    )
    # Program: what an approved applicant gets.
    type_id = fields.Many2one("partner.type", "Partner Type", required=True, tracking=True, check_company=True,
                              ondelete="restrict")
    grade_id = fields.Many2one("res.partner.grade", "Starting Level", required=True, tracking=True,
                               ondelete="restrict")
    # Referral links.
    allow_referral_links = fields.Boolean(
        "Referral Links", default=True, tracking=True,
        help="Partners of this group get a referral link /r/<code>; when off, their links answer 404.",
    )
    allow_custom_links = fields.Boolean(
        "Custom Links", tracking=True,
        help="Partners may create more links with a code of their choice (one per campaign, say).",
    )
    destination_url = fields.Char(
        "Destination", required=True, default="/", tracking=True,
        help="Where referral links send visitors: a page of this website (/pricing) or a full http(s) address. "
        "Visitors are never sent anywhere else.",
    )
    utm_source_id = fields.Many2one("utm.source", "UTM Source")
    utm_medium_id = fields.Many2one("utm.medium", "UTM Medium")
    utm_campaign_id = fields.Many2one("utm.campaign", "UTM Campaign")
    destination_preview = fields.Char("Final Destination", compute="_compute_destination_preview")
    destination_lead_form = fields.Selection(
        [("yes", "Has a form that creates leads"), ("no", "No form that creates leads"),
         ("external", "Another website")],
        compute="_compute_destination_lead_form",
        help="Referred visitors are credited to the partner when they send a form of this website that creates a "
        "lead (website builder: form action 'Create an Opportunity').",
    )
    cookie_days = fields.Integer(
        "Attribution (days)", default=90, required=True,
        help="For how many days after a click a lead sent from the website is credited to the partner.",
    )
    referral_assignment = fields.Selection(
        [("referrer", "To the referring partner"),
         ("auto", "Automatic assignment"),
         ("none", "Not assigned")],
        "Referred Leads", default="referrer", required=True,
        help="Who works the leads partners bring through their links: the referring partner itself, the "
        "reseller the automatic assignment picks, or nobody yet (your salespeople decide).",
    )
    # Social sharing defaults, offered to partners next to their link.
    share_title = fields.Char(translate=True)
    share_message = fields.Text(translate=True)
    tos_url = fields.Char("Terms of Service", help="Public page with this group's partner terms.")
    # Applications and lead submission.
    allow_applications = fields.Boolean("Accept Applications", default=True, tracking=True,
                                        help="The group's join link accepts applications.")
    application_intro = fields.Text("Application Form Text", translate=True)
    join_code = fields.Char(copy=False, readonly=True, default=lambda self: _new_code(12), index=True)
    join_url = fields.Char("Join Link", compute="_compute_join_url")
    allow_lead_submission = fields.Boolean("Lead Submission", default=True, tracking=True,
                                           help="Partners of this group may submit leads from their portal.")
    lead_form_intro = fields.Text("Lead Form Text", translate=True)
    question_ids = fields.One2many("partner.group.question", "group_id", "Form Questions")
    application_question_ids = fields.One2many(
        "partner.group.question", "group_id", "Application Questions", domain=[("form", "=", "application")],
        context={"default_form": "application"},
    )
    lead_question_ids = fields.One2many(
        "partner.group.question", "group_id", "Lead Questions", domain=[("form", "=", "lead")],
        context={"default_form": "lead"},
    )
    # Deal registration: partners ask to own a deal they found; approved, the customer is theirs for a while.
    allow_deal_registration = fields.Boolean(
        "Deal Registration", default=True, tracking=True,
        help="Partners of this group may register deals from their portal.")
    deal_registration_intro = fields.Text("Deal Registration Text", translate=True)
    deal_auto_approve = fields.Boolean(
        "Approve Automatically", tracking=True,
        help="A registration no other reseller competes with is approved at once; the others wait for you.")
    deal_protection_days = fields.Integer(
        "Protection (days)", default=90, required=True, tracking=True,
        help="For how many days an approved registration keeps the customer for its partner.")
    deal_team_id = fields.Many2one("crm.team", "Sales Team of Registered Deals", check_company=True,
                                   help="The team the opportunities of approved registrations land in.")
    deal_stage_id = fields.Many2one(
        "crm.stage", "Stage of Registered Deals",
        domain="['|', ('team_ids', '=', False), ('team_ids', 'in', [deal_team_id])]",
        help="The stage the opportunities of approved registrations start in (default: the team's first).")
    deal_partner_can_close = fields.Boolean(
        "Partners Close Their Deals", tracking=True,
        help="Partners may mark their registered deals won or lost from the portal (no reward follows: "
        "rewards are fired by your side only). Off: only you close them.")
    deal_question_ids = fields.One2many(
        "partner.group.question", "group_id", "Deal Registration Questions",
        domain=[("form", "=", "deal_registration")], context={"default_form": "deal_registration"},
    )
    offer_ids = fields.One2many("partner.offer", "group_id", "Offers")
    partner_ids = fields.One2many("res.partner", "partner_group_id", "Members")
    application_ids = fields.One2many("partner.application", "group_id", "Applications")
    # Statistics, computed set-based (one grouped query each). The whole group's figures: our staff only, a
    # partner reading its own group (portal, JSON-RPC) must not learn the other partners' business.
    partner_count = fields.Integer("Partners", compute="_compute_statistics", groups=STAFF)
    click_count = fields.Integer("Clicks", compute="_compute_statistics", groups=STAFF)
    signup_count = fields.Integer("Sign-ups", compute="_compute_statistics", groups=STAFF,
                                  help="Leads sent from the website after a click on a partner's link.")
    submitted_count = fields.Integer("Submitted Leads", compute="_compute_statistics", groups=STAFF)
    won_revenue = fields.Monetary(compute="_compute_statistics", groups=STAFF,
                                  help="Expected revenue of the won leads the group's partners brought.")
    application_count = fields.Integer("Applications to Review", compute="_compute_statistics", groups=STAFF)

    _join_code_unique = models.Constraint("UNIQUE(join_code)", "This join code is already used.")
    _one_default = models.UniqueIndex(
        "(company_id) WHERE is_default", "There is already a default group in this company.",
    )
    _deal_protection_positive = models.Constraint(
        "CHECK(deal_protection_days > 0 AND deal_protection_days <= 3650)",
        "A registration protects its customer from one day to ten years.",
    )
    _cookie_days_positive = models.Constraint(
        "CHECK(cookie_days > 0)", "The attribution period must last at least one day.",
    )

    @api.constrains("cookie_days")
    def _check_cookie_days(self):
        for group in self:
            if not 0 < group.cookie_days <= MAX_COOKIE_DAYS:
                raise ValidationError(self.env._(
                    "%(group)s: the attribution period lasts from one day to ten years (%(max)s days).",
                    group=group.name, max=MAX_COOKIE_DAYS))

    @api.constrains("destination_url", "tos_url")
    def _check_urls(self):
        for group in self:
            if not _is_safe_destination(group.destination_url):
                raise ValidationError(self.env._(
                    "%(url)s is not a destination: give a page of this website starting with / (like /pricing) or "
                    "a full address starting with https://.", url=group.destination_url,
                ))
            if group.tos_url and not _is_safe_destination(group.tos_url):
                raise ValidationError(self.env._(
                    "%(url)s is not a web page: give a full address starting with https:// or a page of this "
                    "website starting with /.", url=group.tos_url,
                ))

    @api.depends("join_code")
    def _compute_join_url(self):
        for group in self:
            code = group.join_code
            group.join_url = "%s/partners/apply/%s" % (group.get_base_url(), code) if code else False

    @api.depends("destination_url", "utm_source_id", "utm_medium_id", "utm_campaign_id")
    def _compute_destination_preview(self):
        for group in self:
            group.destination_preview = group._destination_with_utm() if group.destination_url else False

    @api.depends("destination_url")
    def _compute_destination_lead_form(self):
        for group in self:
            url = group.destination_url or "/"
            if not url.startswith("/"):
                group.destination_lead_form = "external"
                continue
            group.destination_lead_form = "yes" if group._page_has_lead_form(urlsplit(url).path or "/") else "no"

    def _page_has_lead_form(self, path):
        """Whether the website page at ``path`` holds a website form whose action creates a crm.lead."""
        website = self.env["website"].get_current_website()
        page = self.env["website.page"].sudo().search(
            [("url", "=", path)] + website.website_domain(), order="website_id", limit=1)
        if not page:
            return False
        arch = page.view_id.with_context(website_id=website.id)._get_combined_arch()
        return bool(arch.xpath("//form[@data-model_name='crm.lead']"))

    def _compute_statistics(self):
        ids = self.ids
        partners = dict(self.env["res.partner"].sudo()._read_group(
            [("partner_group_id", "in", ids)], ["partner_group_id"], ["__count"]))
        self.env["partner.referral.link"].flush_model(["group_id", "click_count_folded"])
        self.env.cr.execute(SQL("""
            SELECT link.group_id, SUM(COALESCE(link.click_count_folded, 0) + COALESCE(logged.clicks, 0))
              FROM partner_referral_link link
         LEFT JOIN (SELECT link_id, COUNT(*) AS clicks FROM partner_referral_click GROUP BY link_id) logged
                ON logged.link_id = link.id
             WHERE link.group_id = ANY(%s)
          GROUP BY link.group_id
        """, list(ids)))
        clicks = dict(self.env.cr.fetchall())
        applications = dict(self.env["partner.application"].sudo()._read_group(
            [("group_id", "in", ids), ("state", "=", "new")], ["group_id"], ["__count"]))
        leads = defaultdict(lambda: {"signup": 0, "submitted": 0, "won": 0.0})
        for group, submitted, status, count, revenue in self.env["crm.lead"].sudo().with_context(
            active_test=False,
        )._read_group(
            [("referral_group_id", "in", ids)],
            ["referral_group_id", "partner_submitted", "won_status"],
            ["__count", "expected_revenue:sum"],
        ):
            leads[group.id]["submitted" if submitted else "signup"] += count
            if status == "won":
                leads[group.id]["won"] += revenue
        for group in self:
            group.partner_count = partners.get(group._origin, 0)
            group.click_count = clicks.get(group._origin.id, 0)
            group.application_count = applications.get(group._origin, 0)
            figures = leads[group._origin.id]
            group.signup_count = figures["signup"]
            group.submitted_count = figures["submitted"]
            group.won_revenue = figures["won"]

    # ------------------------------------------------------------------ ORM
    @api.model_create_multi
    def create(self, vals_list):
        defaults = [vals for vals in vals_list if vals.get("is_default")]
        if defaults:
            self._clear_default({vals.get("company_id") or self.env.company.id for vals in defaults})
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("active") is False:
            vals = dict(vals, is_default=False)  # an archived group cannot receive applications
        if vals.get("is_default"):
            self._clear_default(set(self.company_id.ids if "company_id" not in vals else [vals["company_id"]]),
                                keep=self)
        return super().write(vals)

    def _clear_default(self, company_ids, keep=None):
        """One default group per company: choosing a new one unticks the previous one."""
        previous = self.search([("is_default", "=", True), ("company_id", "in", list(company_ids))])
        if keep:
            previous -= keep
        if previous:
            previous.write({"is_default": False})
            previous.flush_recordset(["is_default"])  # before the new default reaches the unique index

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [dict(vals, name=self.env._("%s (copy)", group.name)) for group, vals in zip(self, vals_list,
                                                                                             strict=True)]

    # ------------------------------------------------------------------ helpers
    @api.model
    def _get_default_group(self, company=None):
        """The group applications land in without a join link (sudo), or an empty recordset."""
        company = company or self.env.company
        return self.sudo().search([("is_default", "=", True), ("company_id", "=", company.id)], limit=1)

    @api.model
    def _find_by_join_code(self, code):
        """The active group of a join link, open to applications (sudo), or an empty recordset."""
        if not code or not isinstance(code, str) or len(code) > 64:
            return self.sudo().browse()
        return self.sudo().search([("join_code", "=", code), ("allow_applications", "=", True)], limit=1)

    def _destination_with_utm(self):
        """The destination URL with the group's UTM parameters added (existing parameters are kept)."""
        self.ensure_one()
        parts = urlsplit(self.destination_url)
        query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)
                 if key not in ("utm_source", "utm_medium", "utm_campaign")]
        for key, record in (("utm_source", self.utm_source_id), ("utm_medium", self.utm_medium_id),
                            ("utm_campaign", self.utm_campaign_id)):
            if record:
                query.append((key, record.name))
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), parts.fragment))

    def action_regenerate_join_code(self):
        """A new join link: the old one stops working (it was shared too widely, say)."""
        for group in self:
            group.join_code = _new_code(12)

    def _action_related(self, model, name, domain, context=None):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": domain,
            "context": context or {},
        }

    def action_view_partners(self):
        return self._action_related("res.partner", self.env._("Partners of %s", self.name),
                                    [("partner_group_id", "=", self.id)])

    def action_view_applications(self):
        return self._action_related("partner.application", self.env._("Applications to %s", self.name),
                                    [("group_id", "=", self.id)],
                                    {"default_group_id": self.id, "search_default_to_review": 1})

    def action_view_referred_leads(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action.update(
            name=self.env._("Leads brought by %s", self.name),
            domain=[("referral_group_id", "=", self.id)],
            context={"active_test": False, "create": False},
            view_mode="list,kanban,form",
            views=[(False, "list"), (False, "kanban"), (False, "form")],
        )
        return action

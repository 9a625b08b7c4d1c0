import logging
from collections import defaultdict

import psycopg2

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..forms.form import search_text
from ..forms.partner_directory import PARTNER_CONTACT_FORM
from .crm_lead_candidates import EARTH_INDEX, EARTH_POINT

_logger = logging.getLogger(__name__)

# Resellers per directory page: a multiple of 2, 3 and 4 columns.
DIRECTORY_PAGE_SIZE = 24
# Reseller settings that decide who gets leads and rewards: written by Partner Program managers only.
MANAGER_FIELDS = {"partner_weight", "partner_weight_manual", "partner_capacity", "partner_group_id"}


class ResPartner(models.Model):
    _inherit = "res.partner"

    partner_weight = fields.Integer(
        "Level Weight",
        compute="_compute_partner_weight",
        store=True,
        readonly=False,
        tracking=True,
        help="Share of automatically assigned leads this reseller gets; follows the level unless "
        "'Custom Weight' is ticked. 0 means never.",
    )
    partner_weight_manual = fields.Boolean(
        "Custom Weight",
        help="Keep this reseller's weight when its level or the level's weight changes.",
    )
    grade_sequence = fields.Integer(related="grade_id.sequence", store=True)

    # The directory's visitors' rows (see _directory_domain): its country and level counts are index-only scans
    # and a country page reads its few hundred rows, instead of scanning every contact of the database.
    _directory_idx = models.Index(
        "(country_id, grade_id, website_id) WHERE active IS TRUE AND is_company IS TRUE AND is_published IS TRUE"
        " AND grade_id IS NOT NULL"
    )
    # The directory's order (see _directory_search): a page reads its 24 rows in order instead of sorting them all.
    _directory_order_idx = models.Index(
        "(grade_sequence, grade_id, implemented_partner_count DESC, name, id) WHERE active IS TRUE"
        " AND is_company IS TRUE AND is_published IS TRUE AND grade_id IS NOT NULL"
    )
    activation = fields.Many2one("res.partner.activation", index="btree_not_null", tracking=True)
    date_partnership = fields.Date("Partnership Date")
    date_review = fields.Date("Latest Review")
    date_review_next = fields.Date("Next Review")
    partner_capacity = fields.Integer(
        "Lead Capacity",
        help="Most open leads this reseller may hold at once; automatic assignment skips it when full. "
        "0 means no limit.",
    )
    # Automatic assignment's capacity check (the ``load`` of crm_lead_candidates) reads the few resellers with a
    # capacity through this index: without it, every run scanned every contact of the database.
    _assign_capacity_idx = models.Index("(id) WHERE partner_capacity > 0")
    assigned_partner_id = fields.Many2one("res.partner", "Implemented by", index="btree_not_null")
    implemented_partner_ids = fields.One2many("res.partner", "assigned_partner_id", "Implementation References")
    implemented_partner_count = fields.Integer(
        "Published References", compute="_compute_implemented_partner_count", store=True
    )
    assigned_lead_ids = fields.One2many("crm.lead", "partner_assigned_id", "Assigned Leads")
    assigned_lead_open_count = fields.Integer("Open Assigned Leads", compute="_compute_assigned_lead_open_count")
    partnership_count = fields.Integer("Partnerships", compute="_compute_partnership_count",
                                       groups="partner_program.group_partner_program_user")
    # Smooth weighted round-robin state, kept in partner.assign.credit
    partner_assign_credit = fields.Float(compute="_compute_partner_assign_credit", groups="base.group_system")

    # Referrals: the partner group a company belongs to (its offers, links and forms), and what it earned.
    partner_group_id = fields.Many2one(
        "partner.group", tracking=True, index="btree_not_null", ondelete="restrict",
        help="The group whose offers, referral links and forms apply to this partner company.",
    )
    referral_link_ids = fields.One2many("partner.referral.link", "partner_id", "Referral Links")
    partner_reward_ids = fields.One2many("partner.reward", "partner_id", "Reward Lines")
    partner_reward_count = fields.Integer("Rewards", compute="_compute_partner_reward_count")

    _partner_weight_positive = models.Constraint(
        "CHECK(partner_weight >= 0)", "A reseller's weight cannot be negative: use 0 to stop its leads."
    )
    _partner_capacity_positive = models.Constraint(
        "CHECK(partner_capacity >= 0)", "A reseller's lead capacity cannot be negative (0 means no limit)."
    )

    def init(self):
        result = super().init()
        self._init_reseller_earth_index()
        return result

    def _init_reseller_earth_index(self):
        """GiST index over the resellers' coordinates for the assignment's nearest-first candidate search,
        through PostgreSQL's ``cube`` and ``earthdistance`` extensions (contrib). Without them (a server
        without contrib, a user not allowed to create extensions) assignment filters resellers through a
        latitude/longitude window instead: same results, cost growing with resellers."""
        cr = self.env.cr
        try:
            with cr.savepoint(flush=False):
                cr.execute("CREATE EXTENSION IF NOT EXISTS cube")
                cr.execute("CREATE EXTENSION IF NOT EXISTS earthdistance")
                cr.execute(SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON res_partner USING gist (%s) "
                    "WHERE active AND is_company AND partner_weight > 0",
                    SQL.identifier(EARTH_INDEX), SQL(EARTH_POINT, alias=SQL.identifier("res_partner")),
                ))
        except psycopg2.Error as error:
            _logger.warning("No GiST index over resellers' coordinates (%s): assignment scans every "
                            "reseller instead.", error)

    @api.depends("grade_id.partner_weight", "partner_weight_manual")
    def _compute_partner_weight(self):
        for partner in self:
            if not partner.partner_weight_manual:
                partner.partner_weight = partner.grade_id.partner_weight if partner.grade_id else 0

    @api.depends("implemented_partner_ids.is_published", "implemented_partner_ids.active")
    def _compute_implemented_partner_count(self):
        counts = dict(self.env["res.partner"]._read_group(
            [("assigned_partner_id", "in", self.ids), ("is_published", "=", True)],
            ["assigned_partner_id"], ["__count"],
        ))
        for partner in self:
            partner.implemented_partner_count = counts.get(partner, 0)

    def _compute_assigned_lead_open_count(self):
        counts = dict(self.env["crm.lead"]._read_group(
            [("partner_assigned_id", "in", self.ids), ("won_status", "=", "pending")],
            ["partner_assigned_id"], ["__count"],
        ))
        for partner in self:
            partner.assigned_lead_open_count = counts.get(partner, 0)

    def _compute_partner_assign_credit(self):
        by_partner = dict(self.env["partner.assign.credit"].sudo()._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["credit:sum"]))
        for partner in self:
            partner.partner_assign_credit = by_partner.get(partner._origin, 0.0)

    def _compute_partner_reward_count(self):
        counts = dict(self.env["partner.reward"].sudo()._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]))
        for partner in self:
            partner.partner_reward_count = counts.get(partner._origin, 0)

    def _check_partner_program_manager_fields(self, vals):
        """Weights, capacity and group decide who gets leads and rewards: managers only, even over RPC. Only a
        real change counts (forms send every field: a salesperson saving a contact changes none of these)."""
        if not MANAGER_FIELDS & set(vals) or self.env.su or self.env.user.has_group(
                "partner_program.group_partner_program_manager"):
            return
        Grade = self.env["res.partner.grade"].sudo()
        for partner in self or [self.browse()]:
            manual = vals.get("partner_weight_manual", partner.partner_weight_manual)
            grade = Grade.browse(vals["grade_id"]) if "grade_id" in vals else partner.sudo().grade_id
            expected_weight = partner.partner_weight if manual else grade.partner_weight
            changed = (
                bool(manual) != bool(partner.partner_weight_manual)
                or ("partner_weight" in vals and (vals["partner_weight"] or 0) != (expected_weight or 0))
                or ("partner_capacity" in vals and (vals["partner_capacity"] or 0) != partner.partner_capacity)
                or ("partner_group_id" in vals and (vals["partner_group_id"] or False)
                    != (partner.sudo().partner_group_id.id or False))
            )
            if changed:
                raise AccessError(self.env._(
                    "Only Partner Program managers set a reseller's weight, lead capacity or partner group."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.browse()._check_partner_program_manager_fields(vals)
        partners = super().create(vals_list)
        self.env["partner.referral.link"]._ensure_main_links(partners.filtered("partner_group_id"))
        return partners

    def write(self, vals):
        self._check_partner_program_manager_fields(vals)
        result = super().write(vals)
        if vals.get("partner_group_id"):
            # Joining a group gives the partner its stable referral link (kept when it changes group).
            self.env["partner.referral.link"]._ensure_main_links(self)
        return result

    def action_view_partner_rewards(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("partner_program.partner_reward_action")
        action.update(domain=[("partner_id", "=", self.id)], context={"search_default_partner_id": self.id})
        return action

    def _compute_partnership_count(self):
        counts = dict(self.env["partner.partnership"]._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"],
        ))
        for partner in self:
            partner.partnership_count = counts.get(partner, 0)

    def action_view_partnerships(self):
        """The contact's partnership (its form when there is one), else the list to open one."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("partner_program.partner_partnership_action")
        partnerships = self.env["partner.partnership"].search([("partner_id", "=", self.id)])
        action["context"] = {"default_partner_id": self.id}
        if len(partnerships) == 1:
            action.update(res_id=partnerships.id, view_mode="form", views=[(False, "form")])
        else:
            action["domain"] = [("partner_id", "=", self.id)]
        return action

    def _geo_localize_quietly(self):
        """Coordinates for the partners that have an address and none yet; an unreachable address service only
        leaves them without (logged), it never stops the caller."""
        located = self.filtered(lambda partner: (partner.street or partner.zip or partner.city)
                                and not (partner.partner_latitude or partner.partner_longitude))
        try:
            located.with_context(force_geo_localize=True).geo_localize()
        except Exception as error:  # noqa: BLE001 - any failure of the remote service
            _logger.info("Address service unreachable, %s left without coordinates: %s", located.ids, error)
        return True

    def action_view_assigned_leads(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action.update(
            domain=[("partner_assigned_id", "=", self.id)],
            context={"default_partner_assigned_id": self.id, "active_test": False},
        )
        return action

    # ------------------------------------------------------------------ published directory (/partners)
    # Visitors cannot read res.partner (base rule: their own commercial partner only), and a broad read
    # rule would hand every portal-readable field (internal notes...) of published resellers to RPC. So
    # the directory reads with sudo() through these methods only, with the visibility rules built in.

    @api.model
    def _directory_is_editor(self):
        """Website editors also see the unpublished resellers (with a badge) and levels."""
        return self.env.user.has_group("website.group_website_restricted_editor")

    @api.model
    def _directory_domain(self, website=None):
        """Domain of the resellers the current user may see in the directory of ``website``.

        Visitors: published companies with an active, published level. Website editors: also the
        unpublished companies and levels (never the archived ones).
        """
        website = website or self.env["website"].get_current_website()
        # "active" explicitly: the domain is also used through many2one "any", which ignores active_test.
        domain = Domain([
            ("active", "=", True),
            ("is_company", "=", True),
            ("grade_id", "!=", False),
            ("grade_id.active", "=", True),
        ]) & website.website_domain()
        if not self._directory_is_editor():
            domain &= Domain([("is_published", "=", True), ("grade_id.is_published", "=", True)])
        return domain

    @api.model
    def _directory_search_domain(self, search):
        """Free text search: name, address and descriptions."""
        if not search:
            return Domain.TRUE
        return Domain.OR(
            Domain(field, "ilike", search)
            for field in ("name", "street", "street2", "zip", "city", "state_id.name", "country_id.name",
                          "website_short_description", "website_description")
        )

    @api.model
    def _directory_search(self, grade=None, country=None, industry=None, search="", page=1,
                          country_all=False, geoip_country_code=None, website=None, step=DIRECTORY_PAGE_SIZE):
        """Everything one page of the directory shows, in a fixed number of queries.

        :param grade: ``res.partner.grade`` from the URL, or None
        :param country: ``res.country`` from the URL, or None
        :param industry: ``res.partner.industry`` (resellers with a published reference in it), or None
        :param search: free text
        :param country_all: the visitor chose "All countries": no GeoIP pre-selection
        :param geoip_country_code: the visitor's country code; pre-selects that country when it has
            resellers matching the other filters
        :return: None when ``grade`` is a level the user may not see (the page is a 404), else a dict:
            ``partners`` (sudo records of the page, in directory order), ``total``, ``page`` (clamped),
            ``step``, ``grades``/``countries``/``industries`` (lists of dicts ``record``, ``count``,
            ``active``; counts honour the other active filters), ``grades_total``, ``countries_total``,
            ``current_grade``, ``current_country``, ``current_industry``, ``country_from_geoip``,
            ``search``, ``editor``
        """
        Partner = self.sudo()
        website = website or self.env["website"].get_current_website()
        editor = self._directory_is_editor()
        grade = (grade or self.env["res.partner.grade"]).sudo()
        if grade and not (grade.active and (grade.is_published or editor)):
            return None
        country = (country or self.env["res.country"]).sudo()
        industry = (industry or self.env["res.partner.industry"]).sudo()
        search = search_text(search)

        base = self._directory_domain(website) & self._directory_search_domain(search)
        by_grade = Domain("grade_id", "=", grade.id) if grade else Domain.TRUE
        by_industry = Domain.TRUE
        if industry:
            by_industry = Domain("implemented_partner_ids", "any", [
                ("industry_id", "=", industry.id), ("is_published", "=", True), ("active", "=", True),
            ])

        # Both sidebars from one scan (an index-only one, see _directory_idx): the count of each (country, level)
        # pair, summed over the chosen level for the countries and over the chosen country for the levels.
        pairs = Partner._read_group(base & by_industry, ["country_id", "grade_id"], ["__count"])
        # Countries first: the GeoIP pre-selection depends on them, every other count on the country.
        country_counts = defaultdict(int)
        for pair_country, pair_grade, count in pairs:
            if not grade or pair_grade == grade:
                country_counts[pair_country] += count
        country_from_geoip = False
        if not country and not country_all and geoip_country_code:
            geoip_country = next((c for c in country_counts if c and c.code == geoip_country_code.upper()), None)
            if geoip_country:
                country, country_from_geoip = geoip_country, True
        by_country = Domain("country_id", "=", country.id) if country else Domain.TRUE

        grade_counts = defaultdict(int)
        for pair_country, pair_grade, count in pairs:
            if not country or pair_country == country:
                grade_counts[pair_grade] += count
        references = Domain([("is_published", "=", True), ("industry_id", "!=", False)]) & website.website_domain()
        industry_groups = Partner._read_group(
            references & Domain("assigned_partner_id", "any", base & by_grade & by_country),
            ["industry_id"], ["assigned_partner_id:count_distinct"],
        )
        industry_counts = dict(industry_groups)

        # The current level's (or all levels') count is the total: no separate search_count.
        total = grade_counts.get(grade, 0) if grade else sum(grade_counts.values())
        page_count = max(1, -(-total // step))
        page = max(1, min(int(page or 1), page_count))
        partners = Partner.search(
            base & by_grade & by_country & by_industry,
            # grade_id.id, not grade_id (the level's own order, through a join): _directory_order_idx then
            # gives the first page in order, instead of sorting every published reseller
            order="grade_sequence, grade_id.id, implemented_partner_count desc, name, id",
            offset=(page - 1) * step, limit=step,
        )

        def entries(counts, current, key):
            if current and current not in counts:
                counts[current] = 0  # keep the chosen filter visible, even when nothing matches
            return [
                {"record": record, "count": count, "active": record == current}
                for record, count in sorted(((r, c) for r, c in counts.items() if r), key=key)
            ]

        return {
            "partners": partners,
            "total": total,
            "page": page,
            "step": step,
            "grades": entries(grade_counts, grade, lambda item: (item[0].sequence, item[0].id)),
            "grades_total": sum(grade_counts.values()),
            "countries": entries(country_counts, country, lambda item: item[0].name or ""),
            "countries_total": sum(country_counts.values()),
            "industries": entries(industry_counts, industry, lambda item: item[0].name or ""),
            "current_grade": grade,
            "current_country": country,
            "current_industry": industry,
            "country_from_geoip": country_from_geoip,
            "search": search,
            "editor": editor,
        }

    @api.model
    def _directory_find(self, partner_id):
        """The reseller a partner page is about: the existing company with a level, as sudo, else empty.

        Partners without a level are not resellers: their page is the standard website_partner one.
        """
        partner = self.sudo().browse(partner_id).exists() if partner_id else self.sudo().browse()
        return partner if partner.grade_id else self.sudo().browse()

    def _directory_is_visible(self, website=None):
        """Whether the current user may see this reseller in the directory (and its page)."""
        self.ensure_one()
        return bool(self.sudo().filtered_domain(self._directory_domain(website)))

    def _directory_references(self, website=None):
        """The published customers this reseller implemented, for its page."""
        self.ensure_one()
        website = website or self.env["website"].get_current_website()
        return self.sudo().search(
            Domain([("assigned_partner_id", "=", self.id), ("is_published", "=", True)]) & website.website_domain(),
            order="name, id",
        )

    def _directory_create_lead(self, values, country_code=None):
        """Create the lead a visitor sends from this reseller's page, assigned to this reseller.

        :param values: the form: ``contact_name``, ``email_from``, ``description`` (required),
            ``phone``, ``partner_name`` (company)
        :raise FormError: a message per faulty field and one for the visitor; nothing is created
        :return: the lead (sudo)
        """
        self.ensure_one()
        if not self._directory_is_visible():
            raise UserError(self.env._("This partner cannot be contacted."))
        form = PARTNER_CONTACT_FORM.parse(self, values)
        email = tools.email_normalize(form["email_from"])

        # The "Leads" setting of CRM, whoever the visitor is.
        use_leads = self.env.ref("crm.group_use_lead") in self.env.ref("base.group_user").sudo().all_implied_ids
        country = self.env["res.country"]
        if country_code:
            country = country.sudo().search([("code", "=", country_code.upper())], limit=1)
        return self.env["crm.lead"].sudo().create({
            "name": self.env._("%(contact)s, from the partner directory",
                               contact=form["partner_name"] or form["contact_name"]),
            "type": "lead" if use_leads else "opportunity",
            "contact_name": form["contact_name"],
            "partner_name": form["partner_name"],
            "email_from": email,
            "phone": form["phone"],
            "description": tools.plaintext2html(form["description"]),
            "country_id": country.id,
            "medium_id": self.env["utm.medium"]._fetch_or_create_utm_medium("website").id,
            "partner_assigned_id": self.id,
        })

    # ------------------------------------------------------------------ Odoo's Resellers API (see also
    # crm_lead_resellers_api.py)
    @api.model
    def default_get(self, fields):
        """Odoo's context ``partner_set_default_grade_activation``: a partner created on the fly (the Assigned
        Partner field) gets the first level and activation, so the field's domain still shows it."""
        defaults = super().default_get(fields)
        if self.env.context.get("partner_set_default_grade_activation"):
            if "grade_id" in fields and not defaults.get("grade_id"):
                defaults["grade_id"] = self.env["res.partner.grade"].search([], order="sequence", limit=1).id
            if "activation" in fields and not defaults.get("activation"):
                defaults["activation"] = self.env["res.partner.activation"].search(
                    [], order="sequence", limit=1).id
        return defaults

    def _get_contact_opportunities_domain(self):
        # Odoo's Resellers: a partner's opportunities are also the ones assigned to it
        all_partners = self._fetch_children_partners_for_hierarchy().ids
        return ["|", ("partner_assigned_id", "in", all_partners), ("partner_id", "in", all_partners)]

    def _compute_opportunity_count(self):
        """As Odoo's Resellers: leads of the partner and of its children, plus the ones assigned to them."""
        if not self.ids or not self.env.user.has_group("sales_team.group_sale_salesman"):
            return super()._compute_opportunity_count()
        self.opportunity_count = 0
        groups = self.env["crm.lead"].with_context(active_test=False)._read_group(
            self._get_contact_opportunities_domain(), ["partner_assigned_id", "partner_id"], ["__count"])
        current = set(self._ids)
        for assigned, partner, count in groups:
            seen = set()
            while partner or assigned:
                if assigned and assigned.id in current and assigned not in seen:
                    assigned.opportunity_count += count
                    seen.add(assigned)
                if partner and partner.id in current and partner not in seen:
                    partner.opportunity_count += count
                    seen.add(partner)
                assigned, partner = assigned.parent_id, partner.parent_id
        return None

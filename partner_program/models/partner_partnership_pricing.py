"""partner.partnership: the price list its partner pays with. The running partnership's tier (type + level) price
list, or a personal one negotiated on the partnership, becomes the partner company's pricelist; ending the
partnership gives the default back. A pricelist set by hand on a partner without partnership is left alone."""
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import formatLang

# Fields whose change may change the price list a partner pays with.
PRICING_FIELDS = {"grade_id", "type_id", "pricelist_id", "partner_id", "company_id", "date_start", "date_due",
                  "active"}
# Days the nightly run looks back for partnerships that started or ended (a missed night catches up).
PRICING_CATCH_UP_DAYS = 7


class PartnerPartnership(models.Model):
    _inherit = "partner.partnership"  # pylint: disable=consider-merging-classes-inherited

    pricelist_id = fields.Many2one(
        "product.pricelist",
        "Personal Price List",
        tracking=True,
        check_company=True,
        domain="[('company_id', 'in', (company_id, False))]",
        help="A price list negotiated with this partner: it overrides the price list of its level.",
    )
    pricelist_in_force_id = fields.Many2one(
        "product.pricelist",
        "Price List",
        compute="_compute_pricelist_in_force_id",
        help="What the partner pays while this partnership runs: the personal price list if any, else the "
        "price list generated from the discount benefits of its type and level, else the level's own default "
        "price list.",
    )

    @api.depends("pricelist_id", "type_id", "grade_id", "company_id")
    def _compute_pricelist_in_force_id(self):
        in_force = self._get_pricelists_in_force()
        for partnership in self:
            partnership.pricelist_in_force_id = in_force.get(partnership)

    def _get_pricelists_in_force(self):
        """{partnership: price list it gives its partner} (an empty recordset for "the default"); one query."""
        Pricelist = self.env["product.pricelist"]
        tiers = Pricelist._partner_program_tier_pricelists(
            [(partnership.type_id, partnership.grade_id) for partnership in self]
        )
        result = {}
        for partnership in self:
            candidates = (
                partnership.pricelist_id,
                tiers.get((partnership.type_id, partnership.grade_id), Pricelist),
                partnership.grade_id.sudo().default_pricelist_id,
            )
            result[partnership] = next(
                (pricelist.with_env(self.env) for pricelist in candidates
                 if pricelist and (not pricelist.company_id or pricelist.company_id == partnership.company_id)),
                Pricelist,
            )
        return result

    # ------------------------------------------------------------------ ORM
    @api.model_create_multi
    def create(self, vals_list):
        partnerships = super().create(vals_list)
        partnerships._sync_partner_pricelist()
        return partnerships

    def write(self, vals):
        before = {(partnership.partner_id, partnership.company_id) for partnership in self} \
            if {"partner_id", "company_id"} & set(vals) else set()
        personal_before = self.pricelist_id  # a personal price list taken off is still the program's to replace
        result = super().write(vals)
        if PRICING_FIELDS & set(vals):
            self._sync_partner_pricelist(extra_keys=before, extra_program=personal_before)
        return result

    def unlink(self):
        keys = {(partnership.partner_id, partnership.company_id) for partnership in self}
        personal = self.pricelist_id
        result = super().unlink()
        self.browse()._sync_partner_pricelist(extra_keys=keys, extra_program=personal)
        return result

    # ------------------------------------------------------------------ sync
    def _sync_partner_pricelist(self, extra_keys=(), extra_program=None):
        """Give the partners of these partnerships the price list their running partnership calls for.

        A partner with a running active partnership gets its price list in force (personal, tier or level
        default) in the partnership's company. A partner without one is given the default back, but only if
        the price list it has is one the program sets (a tier's, a level's default, a personal one): a price
        list chosen by hand for a partner outside the program stays. Each change is logged on the
        partnership's chatter; contacts follow their company as Odoo syncs commercial fields.

        :param extra_keys: (partner, company) pairs to review too (a partnership that moved or was deleted)
        :param extra_program: price lists of deleted partnerships, to recognise as the program's
        """
        Partnership = self.env["partner.partnership"].sudo().with_context(active_test=False)
        scope = Partnership.browse(self.ids).exists()
        keys = {(partnership.partner_id, partnership.company_id) for partnership in scope} | set(extra_keys)
        keys = {(partner.sudo(), company) for partner, company in keys if partner}
        if not keys:
            return
        today = fields.Date.context_today(self)
        partners = self.env["res.partner"].sudo().union(*(partner for partner, _company in keys))
        running = Partnership.search([
            ("partner_id", "in", partners.ids), ("active", "=", True),
            ("date_start", "<=", today), ("date_due", ">=", today),
        ])
        driving = {(partnership.partner_id, partnership.company_id): partnership for partnership in running}
        in_force = running._get_pricelists_in_force()
        program = (
            self.env["product.pricelist"].sudo().with_context(active_test=False).search(
                [("partner_type_id", "!=", False)])
            | scope.pricelist_id | running.pricelist_id | (extra_program or self.env["product.pricelist"]).sudo()
            | self.env["res.partner.grade"].sudo().with_context(active_test=False).search(
                [("default_pricelist_id", "!=", False)]).default_pricelist_id
        )
        reported = {(partnership.partner_id, partnership.company_id): partnership for partnership in scope}
        writes = defaultdict(lambda: self.env["res.partner"].sudo())
        bodies = {}
        for partner, company in keys:
            current = partner.with_company(company).specific_property_product_pricelist
            partnership = driving.get((partner, company))
            if partnership:
                new = in_force[partnership].sudo()
            else:
                partnership = reported.get((partner, company))
                new = self.env["product.pricelist"].sudo()
            if current == new or (current and current not in program):
                continue
            writes[(company, new)] |= partner
            if partnership:
                bodies[partnership.id] = Markup("<p>%s</p>") % self.env._(
                    "Price list of %(partner)s: %(old)s → %(new)s.",
                    partner=partner.display_name,
                    old=current.display_name or self.env._("default"),
                    new=new.display_name or self.env._("default"),
                )
        for (company, pricelist), partners_to_write in writes.items():
            partners_to_write.with_company(company).write({"specific_property_product_pricelist": pricelist.id})
        if bodies:
            Partnership.browse(list(bodies))._message_log_batch(bodies)

    @api.model
    def _cron_sync_pricelists(self):
        """Nightly: partnerships that started or ended lately hand the price list over."""
        today = fields.Date.context_today(self)
        since = today - timedelta(days=PRICING_CATCH_UP_DAYS)
        self.sudo().with_context(active_test=False).search([
            "|", "&", ("date_start", ">", since), ("date_start", "<=", today),
            "&", ("date_due", ">=", since), ("date_due", "<", today),
        ])._sync_partner_pricelist()

    @api.model
    def _cron_recompute_levels(self):
        result = super()._cron_recompute_levels()
        self._cron_sync_pricelists()
        return result

    # ------------------------------------------------------------------ portal
    def _get_portal_values(self):
        """Adds what the partner pays: ``pricelist_name``, ``pricelist_discount`` (text, or None without a
        global discount) and ``next_discount`` (the discount of the next level's price list)."""
        values = super()._get_portal_values()
        Pricelist = self.env["product.pricelist"].sudo()
        in_force = self.sudo().pricelist_in_force_id
        next_grade = values.get("next_grade")
        next_pricelist = Pricelist._partner_program_tier_pricelists(
            [(self.type_id, next_grade)]).get((self.type_id.sudo(), next_grade.sudo()), Pricelist) \
            if next_grade else Pricelist
        discounts = (in_force | next_pricelist)._partner_program_discount()

        def percent(pricelist):
            value = discounts.get(pricelist)
            return "%s %%" % formatLang(self.env, value, digits=0 if float(value).is_integer() else 2) \
                if value else None

        values.update({
            "pricelist_name": in_force.display_name,
            "pricelist_discount": percent(in_force) if in_force else None,
            "next_discount": percent(next_pricelist) if next_pricelist else None,
        })
        return values

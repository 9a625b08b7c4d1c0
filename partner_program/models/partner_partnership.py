import logging
from collections import defaultdict
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

# Measures computed from the CRM and the trainings; "manual" ones are typed in on the progress lines.
LEAD_MEASURES = ("leads_registered", "leads_accepted", "won_count", "won_revenue", "pipeline_amount",
                 "certified_contacts")


def _grade_key(grade):
    """Sort key of a level: smaller is higher (Platinum 0 before Gold 1)."""
    return (grade.sequence, grade.id)


def _as_date(value):
    return value.date() if isinstance(value, datetime) else value


class PeriodExclusion(models.Constraint):
    """EXCLUDE constraint that needs btree_gist: skipped (with a warning) on a server that lacks it.

    It makes PostgreSQL itself refuse a second active partnership over an overlapping period, also
    between two transactions running at the same time, which the Python check cannot see.
    """

    def apply_to_database(self, model):
        cr = model.env.cr
        cr.execute("SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'")
        if not cr.fetchone():
            try:
                with cr.savepoint(flush=False):
                    cr.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
            except Exception as error:  # noqa: BLE001 - any refusal (privileges, missing contrib) means "not here"
                _logger.warning("btree_gist unavailable (%s): overlapping partnerships are only checked "
                                "in Python, not between concurrent transactions.", error)
                return
        super().apply_to_database(model)


class PartnerPartnership(models.Model):
    _name = "partner.partnership"
    _description = "Partnership"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        required=True,
        tracking=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain="[('is_company', '=', True)]",
    )
    type_id = fields.Many2one(
        "partner.type", "Partner Type", required=True, tracking=True, ondelete="restrict", check_company=True
    )
    grade_id = fields.Many2one(
        "res.partner.grade",
        "Level",
        compute="_compute_grade_id",
        store=True,
        readonly=False,
        tracking=True,
        index="btree_not_null",
        ondelete="restrict",
        help="Current level in the program; starts at the partner's level and moves with the progression.",
    )
    next_grade_id = fields.Many2one("res.partner.grade", "Next Level", compute="_compute_next_grade_id")
    date_start = fields.Date("Start Date", required=True, default=fields.Date.context_today, tracking=True)
    date_due = fields.Date(
        "Due Date",
        compute="_compute_date_due",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        tracking=True,
        help="Last day of the partnership period (one year by default).",
    )
    active = fields.Boolean(
        default=True, tracking=True, help="Only active partnerships count and are shown on the partner's portal."
    )
    user_id = fields.Many2one(
        "res.users", "Manager", default=lambda self: self.env.user, tracking=True, domain="[('share', '=', False)]"
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company,
                                 index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    period_reviewed = fields.Boolean(
        readonly=True, copy=False, help="The level was reviewed once the period was over; it no longer moves."
    )
    progress_ids = fields.One2many("partner.partnership.progress", "partnership_id")
    benefit_ids = fields.Many2many(
        "partner.level.parameter", string="Benefits", compute="_compute_benefit_ids",
        help="What the current level gives.",
    )
    fund_ids = fields.One2many("partner.fund", "partnership_id", "Funds")
    level_history_ids = fields.One2many("partner.partnership.level.history", "partnership_id")
    training_ids = fields.One2many("partner.training", "partnership_id", "Trainings and Certifications")
    marketing_activity_ids = fields.One2many("partner.marketing.activity", "partnership_id", "Marketing Activities")
    # Summary of the period, always live (computed set-based, never stored).
    lead_count = fields.Integer("Leads", compute="_compute_summary")
    opportunity_count = fields.Integer("Opportunities", compute="_compute_summary")
    won_count = fields.Integer("Won", compute="_compute_summary")
    won_revenue = fields.Monetary(
        compute="_compute_summary",
        help="Untaxed amount of the confirmed sale orders of the opportunities assigned to the partner, ordered "
        "during the period, in the company's currency.",
    )
    pipeline_amount = fields.Monetary("Pipeline", compute="_compute_summary")
    certified_contact_count = fields.Integer("Certified Contacts", compute="_compute_summary")

    _dates_ordered = models.Constraint(
        "CHECK(date_due >= date_start)", "A partnership cannot end before it starts."
    )
    _partner_period_exclusive = PeriodExclusion(
        "EXCLUDE USING gist (partner_id WITH =, daterange(date_start, date_due, '[]'::text) WITH &&)"
        " WHERE (active)",
        "This partner already has an active partnership over an overlapping period.",
    )

    # ------------------------------------------------------------------ computes
    @api.depends("partner_id")
    def _compute_grade_id(self):
        for partnership in self:
            partnership.grade_id = partnership.partner_id.grade_id

    @api.depends("date_start")
    def _compute_date_due(self):
        for partnership in self:
            if partnership.date_start:
                partnership.date_due = partnership.date_start + relativedelta(years=1) - timedelta(days=1)

    @api.depends("partner_id", "type_id", "date_start")
    def _compute_display_name(self):
        for partnership in self:
            parts = [partnership.partner_id.name or "", partnership.type_id.name or ""]
            name = " - ".join(part for part in parts if part)
            if partnership.date_start:
                name = "%s (%s)" % (name, partnership.date_start.year)
            partnership.display_name = name

    @api.depends("type_id", "grade_id")
    def _compute_next_grade_id(self):
        ladders = self.type_id._get_ladders()
        for partnership in self:
            step = partnership._next_step(ladders.get(partnership.type_id.id, []))
            partnership.next_grade_id = step[0] if step else False

    @api.depends("type_id", "grade_id")
    def _compute_benefit_ids(self):
        ladders = self.type_id._get_ladders()
        for partnership in self:
            step = partnership._current_step(ladders.get(partnership.type_id.id, []))
            partnership.benefit_ids = step[2] if step else False

    @api.depends("partner_id", "date_start", "date_due")
    def _compute_summary(self):
        measures = self._origin._get_measures()
        for partnership in self:
            values = measures.get(partnership._origin.id) or dict.fromkeys(LEAD_MEASURES, 0)
            partnership.lead_count = values["leads_registered"]
            partnership.opportunity_count = values["leads_accepted"]
            partnership.won_count = values["won_count"]
            partnership.won_revenue = values["won_revenue"]
            partnership.pipeline_amount = values["pipeline_amount"]
            partnership.certified_contact_count = values["certified_contacts"]

    def _current_step(self, ladder):
        return next((step for step in ladder if step[0] == self.grade_id), None)

    def _next_step(self, ladder):
        """The ladder step right above the current level (the lowest one when there is no level)."""
        higher = [step for step in ladder if not self.grade_id or _grade_key(step[0]) < _grade_key(self.grade_id)]
        return higher[-1] if higher else None

    # ------------------------------------------------------------------ constraints
    @api.model
    def _raise_if_overlapping(self, periods):
        """Refuse, with a message naming the partner and the period in the way, a second active
        partnership of a partner over an overlapping period.

        Called by create and write before they touch the table, so that the user gets this message rather
        than the database's EXCLUDE constraint (which also covers concurrent transactions).

        :param periods: [(partner_id, date_start, date_due, partnership_id or None)] of active partnerships
        """
        periods = [period for period in periods if period[0] and period[1] and period[2]]
        if not periods:
            return
        others = self.sudo().search([
            ("partner_id", "in", [period[0] for period in periods]),
            ("date_start", "<=", max(period[2] for period in periods)),
            ("date_due", ">=", min(period[1] for period in periods)),
        ])
        moving = {period[3] for period in periods if period[3]}
        taken = [(other.partner_id.id, other.date_start, other.date_due, other.id)
                 for other in others if other.id not in moving]
        for index, (partner_id, start, due, _own_id) in enumerate(periods):
            # The other existing partnerships, and the ones created before this one in the same batch.
            for other_partner, other_start, other_due, _other_id in taken + periods[:index]:
                if other_partner == partner_id and other_start <= due and other_due >= start:
                    raise ValidationError(self.env._(
                        "%(partner)s already has an active partnership from %(start)s to %(due)s. A partner has "
                        "only one active partnership at a time: end or archive that one first, or choose a period "
                        "that does not overlap it.",
                        partner=self.env["res.partner"].browse(partner_id).display_name,
                        start=other_start,
                        due=other_due,
                    ))

    # ------------------------------------------------------------------ ORM
    @api.model_create_multi
    def create(self, vals_list):
        # Checked before the INSERT, so that the user gets this message rather than the database's.
        defaults = self.default_get(["date_start", "active"])
        self._raise_if_overlapping([
            self._period_of(dict(defaults, **vals)) + (None,)
            for vals in vals_list if vals.get("active", defaults.get("active", True))
        ])
        partnerships = super().create(vals_list)
        partnerships._sync_progress_lines()
        partnerships._sync_partner_grade()
        return partnerships

    def write(self, vals):
        if {"partner_id", "date_start", "date_due", "active"} & set(vals):
            self._raise_if_overlapping([
                self._period_of(vals, partnership) + (partnership.id,)
                for partnership in self if vals.get("active", partnership.active)
            ])
        old_grades = {partnership.id: partnership.grade_id for partnership in self} if "grade_id" in vals else {}
        result = super().write(vals)
        if "type_id" in vals:
            self._sync_progress_lines()
        if old_grades and not self.env.context.get("partner_program_level_change"):
            # A level typed in by the manager is history as much as a computed promotion.
            changed = self.filtered(lambda partnership: partnership.grade_id != old_grades[partnership.id])
            changed._record_level_changes({
                partnership: (old_grades[partnership.id], partnership.grade_id, "manual") for partnership in changed
            })
        if {"grade_id", "partner_id", "date_start", "date_due", "active"} & set(vals):
            self._sync_partner_grade()
        return result

    def _open_promised_funds(self):
        """Give each partnership the funds its level promises: one fund per 'fund credit' benefit of its type and
        level that it has no fund for yet. Returns the new funds."""
        benefits = self.env["partner.level.parameter"].sudo().search([
            ("type_id", "in", self.type_id.ids), ("grade_id", "in", self.grade_id.ids),
            ("kind", "=", "benefit"), ("category_id.benefit_type", "=", "fund_credit"), ("value", ">", 0),
        ])
        vals_list = []
        for partnership in self:
            promised = benefits.filtered(
                lambda benefit, p=partnership: benefit.type_id == p.type_id and benefit.grade_id == p.grade_id
            ).category_id
            for category in promised - partnership.sudo().fund_ids.credit_category_id:
                vals_list.append({
                    "name": self.env._("Marketing fund"), "partnership_id": partnership.id,
                    "credit_category_id": category.id,
                })
        return self.env["partner.fund"].sudo().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_fund_operations(self):
        if self.sudo().fund_ids.operation_ids:
            raise UserError(self.env._(
                "A partnership whose funds have operations cannot be deleted: archive it instead."
            ))

    @api.model
    def _period_of(self, vals, partnership=None):
        """(partner_id, date_start, date_due) a partnership will have once ``vals`` are written."""
        partnership = partnership or self.browse()
        partner_id = vals.get("partner_id", partnership.partner_id.id)
        start = fields.Date.to_date(vals.get("date_start", partnership.date_start))
        if vals.get("date_due"):
            due = fields.Date.to_date(vals["date_due"])
        elif "date_start" in vals or not partnership:
            due = start and start + relativedelta(years=1) - timedelta(days=1)  # see _compute_date_due
        else:
            due = partnership.date_due
        return (partner_id, start, due)

    def _sync_progress_lines(self):
        """One progress line per obligation category used by the partnership's type, created in batch."""
        if not self:
            return
        ladders = self.type_id._get_ladders()
        Progress = self.env["partner.partnership.progress"].sudo()
        lines = Progress.search([("partnership_id", "in", self.ids)])
        existing = {(line.partnership_id.id, line.category_id.id): line for line in lines}
        wanted, to_create = set(), []
        for partnership in self:
            categories = {
                obligation.category_id.id
                for _grade, obligations, _benefits in ladders.get(partnership.type_id.id, [])
                for obligation in obligations
            }
            for category_id in sorted(categories):
                wanted.add((partnership.id, category_id))
                if (partnership.id, category_id) not in existing:
                    to_create.append({"partnership_id": partnership.id, "category_id": category_id})
        Progress.create(to_create)
        lines.filtered(lambda line: (line.partnership_id.id, line.category_id.id) not in wanted).unlink()

    def _sync_partner_grade(self):
        """The partner's level (used by lead assignment and the directory) follows its running partnership."""
        today = fields.Date.context_today(self)
        running = self.filtered(lambda p: p.active and p.grade_id and p.date_start <= today <= p.date_due)
        by_grade = defaultdict(lambda: self.env["res.partner"])
        for partnership in running:
            if partnership.partner_id.grade_id != partnership.grade_id:
                by_grade[partnership.grade_id] |= partnership.partner_id
        for grade, partners in by_grade.items():
            # sudo: only the level, a consequence of the program the manager runs (who may not edit contacts).
            partners.sudo().write({"grade_id": grade.id})

    # ------------------------------------------------------------------ actions
    def _action_leads(self, name, domain):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action.update(
            name=name,
            domain=[("partner_assigned_id", "=", self.partner_id.id)] + domain,
            context={"active_test": False, "create": False},
            view_mode="list,kanban,form",
            views=[(False, "list"), (False, "kanban"), (False, "form")],
        )
        return action

    def action_view_leads(self):
        return self._action_leads(self.env._("Leads of the period"), [
            ("date_partner_assign", ">=", self.date_start), ("date_partner_assign", "<=", self.date_due),
        ])

    def action_view_won(self):
        return self._action_leads(self.env._("Won in the period"), [
            ("won_status", "=", "won"),
            ("date_closed", ">=", fields.Datetime.to_datetime(self.date_start)),
            ("date_closed", "<", fields.Datetime.to_datetime(self.date_due + timedelta(days=1))),
        ])

    # ------------------------------------------------------------------ portal
    @api.model
    def _get_portal_partnership(self):
        """The partnership the current user's company sees on the portal: its active, running one
        (else the latest active one). Access rules decide what the user may read."""
        partner = self.env.user.commercial_partner_id
        today = fields.Date.context_today(self)
        partnerships = self.search([("partner_id", "=", partner.id)], order="date_start desc, id desc")
        running = partnerships.filtered(lambda p: p.date_start <= today <= p.date_due)
        return (running or partnerships)[:1]

    def _get_portal_values(self):
        """Everything the portal page shows, read with the current user's rights."""
        self.ensure_one()
        ladders = self.type_id._get_ladders()
        ladder = ladders.get(self.type_id.id, [])
        next_step = self._next_step(ladder)
        values = self._get_category_values()[self.id]
        progress = []
        if next_step:
            for obligation in next_step[1]:
                measured = values.get(obligation.category_id.id, 0)
                percent = min(100.0, measured * 100.0 / obligation.target) if obligation.target else 100.0
                progress.append({
                    "name": obligation.category_id.name,
                    "measured": obligation._format_figure(measured),
                    "target": obligation.value_display,
                    "percent": round(percent),
                    "met": measured >= obligation.target,
                })
        return {
            "partnership": self,
            "next_grade": next_step[0] if next_step else self.env["res.partner.grade"],
            "progress": progress,
            "benefits": self.benefit_ids,
            "funds": self.fund_ids,
            "level_history": self.level_history_ids,
            "trainings": self.training_ids,
            "marketing_activities": self.marketing_activity_ids,
        }

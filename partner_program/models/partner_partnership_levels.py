"""partner.partnership: the level review, i.e. what each partnership achieved over its period (the measures) and
the level changes its program's ladder calls for (by hand, or every night by cron)."""
import logging
from collections import defaultdict
from datetime import datetime, timedelta

from odoo import api, fields, models

from .partner_partnership import LEAD_MEASURES, _as_date, _grade_key

_logger = logging.getLogger(__name__)

# Level change messages rendered and posted per batch of partnerships.
LEVEL_MAIL_BATCH = 500


class PartnerPartnership(models.Model):
    _inherit = "partner.partnership"

    # ------------------------------------------------------------------ measures
    def _get_measures(self):
        """What each partnership achieved over its period, for every automatic measure.

        Four grouped queries whatever the number of partnerships (leads assigned, leads won, the confirmed
        orders of the partner's opportunities, valid certifications); days are grouped in SQL and matched to
        each partnership's period here.

        :return: {partnership_id: {measure: value}} for the measures in ``LEAD_MEASURES``
        """
        result = {partnership.id: dict.fromkeys(LEAD_MEASURES, 0) for partnership in self}
        partnerships = self.filtered(lambda p: p.partner_id and p.date_start and p.date_due)
        if not partnerships:
            return result
        periods = defaultdict(list)
        for partnership in partnerships:
            periods[partnership.partner_id.id].append((partnership.date_start, partnership.date_due, partnership.id))
        date_min = min(partnerships.mapped("date_start"))
        date_max = max(partnerships.mapped("date_due"))

        def add(partner, day, measure, amount):
            for start, due, partnership_id in periods[partner.id]:
                if day and start <= _as_date(day) <= due:
                    result[partnership_id][measure] += amount

        # sudo: a partner's results count whoever looks at them (a salesperson seeing only own leads too).
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        partner_ids = partnerships.partner_id.ids
        for partner, day, lead_type, status, count, revenue in Lead._read_group(
            [("partner_assigned_id", "in", partner_ids),
             ("date_partner_assign", ">=", date_min), ("date_partner_assign", "<=", date_max)],
            ["partner_assigned_id", "date_partner_assign:day", "type", "won_status"],
            ["__count", "expected_revenue:sum"],
        ):
            add(partner, day, "leads_registered", count)
            if lead_type == "opportunity":
                add(partner, day, "leads_accepted", count)
                if status == "pending":
                    add(partner, day, "pipeline_amount", revenue)
        # Closing and order dates are datetimes grouped by day in the user's timezone: one spare day on each side.
        moment_min = datetime.combine(date_min - timedelta(days=1), datetime.min.time())
        moment_max = datetime.combine(date_max + timedelta(days=2), datetime.min.time())
        for partner, day, count in Lead._read_group(
            [("partner_assigned_id", "in", partner_ids), ("won_status", "=", "won"),
             ("date_closed", ">=", moment_min), ("date_closed", "<", moment_max)],
            ["partner_assigned_id", "date_closed:day"],
            ["__count"],
        ):
            add(partner, day, "won_count", count)
        self._add_won_revenue(result, periods, partner_ids, moment_min, moment_max)
        today = fields.Date.context_today(self)
        for partnership, contacts in self.env["partner.training"].sudo()._read_group(
            [("partnership_id", "in", partnerships.ids), ("kind", "=", "certification"),
             ("date", "<=", today), "|", ("date_valid_until", "=", False), ("date_valid_until", ">=", today)],
            ["partnership_id"],
            ["contact_id:count_distinct"],
        ):
            result[partnership.id]["certified_contacts"] = contacts
        return result

    def _add_won_revenue(self, result, periods, partner_ids, moment_min, moment_max):
        """Add to ``result`` the won revenue of each partnership: the untaxed amount of the confirmed sale orders
        of the opportunities assigned to its partner, by order date, in the partnership's company currency.

        This is what the partner sees in "Sales from my deals" (confirmed orders only). One grouped query: an
        order's amount is brought to its company's currency by the rate stored on the order at its date (as
        Odoo's sales analysis does); only an order of a company with another currency than the partnership's
        is converted again, once per company, currency and day.
        """
        partnerships = self.browse([partnership_id for spans in periods.values() for *_dates, partnership_id in spans])
        companies = {partnership.id: partnership.company_id for partnership in partnerships}
        rates = {}

        def convert(amount, company, partnership_id, day):
            target = companies[partnership_id]
            if company.currency_id == target.currency_id:
                return amount
            key = (company.currency_id, target, day)
            if key not in rates:
                rates[key] = self.env["res.currency"]._get_conversion_rate(
                    company.currency_id, target.currency_id, target, day)
            return target.currency_id.round(amount * rates[key])

        # sudo: as for the leads, a partner's sales count whoever looks at them.
        Order = self.env["sale.order"].sudo().with_context(active_test=False)
        for partner, day, company, rate, amount in Order._read_group(
            [("state", "=", "sale"), ("opportunity_id.partner_assigned_id", "in", partner_ids),
             ("date_order", ">=", moment_min), ("date_order", "<", moment_max)],
            ["opportunity_id.partner_assigned_id", "date_order:day", "company_id", "currency_rate"],
            ["amount_untaxed:sum"],
        ):
            amount = amount / rate if rate else amount
            for start, due, partnership_id in periods[partner.id]:
                if day and start <= _as_date(day) <= due:
                    result[partnership_id]["won_revenue"] += convert(amount, company, partnership_id, _as_date(day))

    def _get_category_values(self):
        """The measured value of every obligation category, for each partnership.

        :return: {partnership_id: {category_id: value}}; manual categories read the progress lines
        """
        measures = self._get_measures()
        categories = self.env["partner.parameter.category"].sudo().with_context(active_test=False).search(
            [("kind", "=", "obligation")]
        )
        result = {}
        for partnership in self:
            values = measures[partnership.id]
            result[partnership.id] = {
                category.id: values[category.measure]
                for category in categories if category.measure in values
            }
        for partnership, category, value in self.env["partner.partnership.progress"].sudo()._read_group(
            [("partnership_id", "in", self.ids), ("measure", "=", "manual")],
            ["partnership_id", "category_id"],
            ["value_manual:sum"],
        ):
            result[partnership.id][category.id] = value
        return result

    @api.model
    def _obligations_met(self, obligations, values):
        return all(values.get(obligation.category_id.id, 0) >= obligation.target for obligation in obligations)

    # ------------------------------------------------------------------ tier progression
    def action_recompute_level(self):
        """Button: measure the partnerships now and move them up (or down at period end)."""
        self.check_access("write")
        changes = self._recompute_levels()
        if changes:
            message = "\n".join(
                self.env._("%(partner)s: %(old)s → %(new)s", partner=partnership.partner_id.display_name,
                           old=old.name or "-", new=new.name)
                for partnership, (old, new, _reason) in changes.items()
            )
            kind = "success"
        else:
            message = self.env._("Every level is up to date.")
            kind = "info"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Partner levels"),
                "message": message,
                "type": kind,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _cron_recompute_levels(self):
        """Scheduled action: recompute every running partnership."""
        today = fields.Date.context_today(self)
        self.search([
            ("active", "=", True), ("date_start", "<=", today), ("period_reviewed", "=", False),
        ])._recompute_levels()

    def _recompute_levels(self):
        """Move each partnership to the level its measured values earn.

        Up: to the highest level above the current one whose obligations are all met. Down: only once the
        period is over, when the type says so and the current level's obligations are missed; then to the
        highest level below whose obligations are met (or the lowest level of the ladder). Once the period
        is over the partnership is marked reviewed and no longer moves.

        Set-based: a constant number of queries whatever the number of partnerships, plus one message
        and one mail per partnership that actually changes level.

        :return: {partnership: (old grade, new grade, reason)}
        """
        today = fields.Date.context_today(self)
        partnerships = self.filtered(lambda p: p.active and p.date_start <= today and not p.period_reviewed)
        if not partnerships:
            return {}
        ladders = partnerships.type_id._get_ladders()
        values = partnerships._get_category_values()
        changes = {}
        for partnership in partnerships:
            ladder = ladders.get(partnership.type_id.id, [])
            met = [grade for grade, obligations, _benefits in ladder
                   if self._obligations_met(obligations, values[partnership.id])]
            current = partnership.grade_id
            higher_met = [grade for grade in met if not current or _grade_key(grade) < _grade_key(current)]
            new, reason = current, None
            if higher_met:
                new, reason = higher_met[0], "promotion"
            elif (partnership.date_due < today and partnership.type_id.demote_at_period_end and current
                  and current in [step[0] for step in ladder] and current not in met):
                lower_met = [grade for grade in met if _grade_key(grade) > _grade_key(current)]
                new, reason = (lower_met[0] if lower_met else ladder[-1][0]), "demotion"
            if new != current:
                changes[partnership] = (current, new, reason)
        partnerships.filtered(lambda p: p.date_due < today).write({"period_reviewed": True})
        if changes:
            self._apply_level_changes(changes, values)
        return changes

    def _apply_level_changes(self, changes, values):
        by_grade = defaultdict(lambda: self.env["partner.partnership"])
        for partnership, (_old, new, _reason) in changes.items():
            by_grade[new] |= partnership
        for grade, partnerships in by_grade.items():
            partnerships.with_context(partner_program_level_change=True).write({"grade_id": grade.id})
        self._record_level_changes(changes, values)

    def _record_level_changes(self, changes, values=None):
        """Level history rows (one batch), then a chatter message mailed to the partner for each change."""
        if not changes:
            return
        partnerships = self.browse([partnership.id for partnership in changes])
        if values is None:
            values = partnerships._get_category_values()
        ladders = partnerships.type_id._get_ladders()
        self.env["partner.partnership.level.history"].sudo().create([{
            "partnership_id": partnership.id,
            "grade_from_id": old.id,
            "grade_to_id": new.id,
            "reason": reason,
            "measure_summary": partnership._measure_summary(ladders, values[partnership.id], new),
        } for partnership, (old, new, reason) in changes.items()])
        template = self.env.ref("partner_program.mail_template_partnership_level_change", raise_if_not_found=False)
        if not template:
            return
        # The template's recipient is the partner: the message lands in the chatter and in its mailbox.
        # One composer per batch renders the template for the whole batch (one per partnership costs
        # ~70 ms each); the mails are queued for the mail queue, not sent one by one during the recompute.
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        Composer = self.env["mail.compose.message"].with_context(mail_notify_force_send=False)
        for start in range(0, len(partnerships), LEVEL_MAIL_BATCH):
            batch = partnerships[start:start + LEVEL_MAIL_BATCH]
            Composer.create({
                "composition_mode": "comment",
                "model": self._name,
                "res_ids": repr(batch.ids),
                "template_id": template.id,
                "message_type": "comment",
                "subtype_id": subtype_id,
            })._action_send_mail()

    def _measure_summary(self, ladders, values, grade):
        """'Category: measured / target of ``grade``' for every obligation of the ladder, one per line."""
        self.ensure_one()
        ladder = ladders.get(self.type_id.id, [])
        categories, targets = {}, {}
        for step_grade, obligations, _benefits in ladder:
            for obligation in obligations:
                categories.setdefault(obligation.category_id, obligation)
                if step_grade == grade:
                    targets[obligation.category_id] = obligation
        lines = []
        for category, parameter in categories.items():
            line = "%s: %s" % (category.name, parameter._format_figure(values.get(category.id, 0)))
            if category in targets:
                line += " / %s" % targets[category].value_display
            lines.append(line)
        return "\n".join(lines)

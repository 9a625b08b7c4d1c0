"""crm.lead: the reseller's time to answer a lead: reminder, then the lead is taken back."""
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Command, Domain

from .crm_lead_assignment import CRON_BATCH


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    date_partner_answer_due = fields.Datetime(
        "Partner Answer Deadline",
        compute="_compute_date_partner_answer_due",
        store=True,
        copy=False,
        index="btree_not_null",
        help="The assigned reseller must accept or decline the lead before this date, or the lead is taken back "
        "(company setting 'Days to Answer').",
    )
    date_partner_answer_remind = fields.Datetime(
        "Partner Answer Reminder",
        compute="_compute_date_partner_answer_due",
        store=True,
        copy=False,
        index="btree_not_null",
        help="Half of the time to answer: the reseller gets a reminder then, once.",
    )

    @api.depends("partner_assigned_id", "type")
    def _compute_date_partner_answer_due(self):
        now = fields.Datetime.now()
        waiting = self.filtered(lambda lead: lead.partner_assigned_id and lead.type == "lead")
        (self - waiting).date_partner_answer_due = (self - waiting).date_partner_answer_remind = False
        # one assignment per company: automatic assignment recomputes thousands of leads at once
        for company, leads in waiting.grouped("company_id").items():
            days = (company or self.env.company).partner_answer_days
            leads.date_partner_answer_due = days > 0 and now + timedelta(days=days)
            leads.date_partner_answer_remind = days > 0 and now + timedelta(days=days / 2)

    @api.model
    def _cron_partner_answer_deadline(self):
        """Scheduled action: remind resellers at half of their time to answer, take back the leads they let
        expire (the reseller joins the declined partners) and assign those to the next eligible reseller.

        Works in batches (``CRON_BATCH`` leads, or the context key ``partner_answer_batch_size``) until
        nothing is due. Run by the scheduler, each batch is committed with its progress; when the run's
        time is up the action triggers itself again, so a backlog drains in one scheduled run and the ones
        right after it, never one batch per hour.

        :return: dict with the recordsets ``reminded`` and ``expired`` of this call
        """
        batch_size = self.env.context.get("partner_answer_batch_size") or CRON_BATCH
        Cron = self.env["ir.cron"]
        in_cron = bool(self.env.context.get("cron_id"))
        now = fields.Datetime.now()
        waiting = Domain("type", "=", "lead") & Domain("partner_assigned_id", "!=", False)
        remind_domain = (waiting & Domain("date_partner_answer_remind", "<=", now)
                         & Domain("date_partner_answer_due", ">", now))
        expired_domain = waiting & Domain("date_partner_answer_due", "<=", now)
        template = self.env.ref("partner_program.mail_template_partner_answer_reminder", raise_if_not_found=False)
        reminded = expired = self.browse()
        while True:
            to_remind = self.search(remind_domain, limit=batch_size, order="id")
            if to_remind:
                if template:
                    template.send_mail_batch(to_remind.ids)
                to_remind.write({"date_partner_answer_remind": False})
            to_expire = self.search(expired_domain, limit=batch_size, order="id")
            if to_expire:
                to_expire._partner_answer_expire()
            reminded |= to_remind
            expired |= to_expire
            done = len(to_remind) + len(to_expire)
            if not done:
                break
            if in_cron:
                remaining = self.search_count(remind_domain) + self.search_count(expired_domain)
                if Cron._commit_progress(done, remaining=remaining) <= 0 and remaining:
                    # This run's time is up: the next one starts as soon as a cron worker is free.
                    cron = self.env.ref("partner_program.ir_cron_partner_answer_deadline",
                                        raise_if_not_found=False)
                    if cron:
                        cron._trigger()
                    break
            # Outside the scheduler (tests, a manual call), one transaction: nothing is committed here.
        return {"reminded": reminded, "expired": expired}

    def _partner_answer_expire(self):
        """Take the leads back from resellers that did not answer in time, then re-assign them."""
        # The answer log first, while each lead still names its reseller (one create for the batch).
        self.env["partner.lead.answer"]._log_answers(self, "expired")
        by_partner = defaultdict(lambda: self.browse())
        for lead in self:
            by_partner[lead.partner_assigned_id] |= lead
        now = fields.Datetime.now()
        bodies = {}
        for partner, leads in by_partner.items():
            company = partner.commercial_partner_id
            leads.message_unsubscribe(
                partner_ids=self.env["res.partner"].search([("id", "child_of", company.id)]).ids)
            leads.write({
                "partner_assigned_id": False,
                "partner_declined_ids": [Command.link(company.id), Command.link(partner.id)],
                "date_partner_decline": now,
            })
            for lead in leads:
                bodies[lead.id] = Markup("<p>%s</p>") % self.env._(
                    "Taken back from %(partner)s: no answer within the time to answer.", partner=company.display_name)
        self._log_notes(bodies)
        return self._assign_partner_auto()


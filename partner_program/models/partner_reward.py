from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

# Passed in the context by the workflow actions only: an object no RPC call can send, so that approved and paid
# rewards change through those actions and nothing else, whoever calls write().
_WORKFLOW = object()
# Fields only the workflow actions write, whatever the reward's state.
WORKFLOW_FIELDS = {"state", "date_approved", "date_paid", "statement_id"}
# What the reward is for: set when it is granted, never changed afterwards.
SOURCE_FIELDS = {"offer_id", "lead_id", "partner_id"}
# Bookkeeping of the chatter, written by mail itself.
MAIL_FIELDS = {"message_main_attachment_id"}


class PartnerReward(models.Model):
    """One reward line: an offer fired for one source (a lead) and one partner. Never twice for the same
    offer and source: a unique index stands behind the check. Money: approved and paid rewards change only
    through the workflow actions (approve, mark paid, cancel), for every user, and the chatter tracks them."""

    _name = "partner.reward"
    _description = "Partner Reward"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char("Description", required=True)
    offer_id = fields.Many2one("partner.offer", required=True, ondelete="restrict", index=True,
                               check_company=True)
    trigger = fields.Selection(related="offer_id.trigger", store=True)
    group_id = fields.Many2one(related="offer_id.group_id", store=True, index=True)
    partner_id = fields.Many2one("res.partner", required=True, tracking=True, index=True, ondelete="restrict")
    lead_id = fields.Many2one("crm.lead", "Source Lead", required=True, index=True, ondelete="restrict")
    company_id = fields.Many2one(related="offer_id.company_id", store=True, index=True)
    currency_id = fields.Many2one("res.currency", required=True)
    amount = fields.Monetary(required=True, tracking=True)
    date = fields.Date("Earned On", required=True, default=fields.Date.context_today, index=True)
    state = fields.Selection(
        [("pending", "Pending"), ("approved", "Approved"), ("paid", "Paid"), ("cancelled", "Cancelled")],
        required=True, default="pending", index=True, tracking=True,
    )
    date_approved = fields.Date("Approved On", readonly=True, copy=False)
    date_paid = fields.Date("Paid On", readonly=True, copy=False)
    statement_id = fields.Many2one("partner.commission.statement", readonly=True, copy=False, tracking=True,
                                   index="btree_not_null", ondelete="set null")

    _offer_source_unique = models.UniqueIndex(
        "(offer_id, lead_id)", "This offer already rewarded this lead.",
    )
    _amount_positive = models.Constraint("CHECK(amount >= 0)", "A reward cannot be negative.")

    # ------------------------------------------------------------------ granting
    @api.model
    def _grant(self, leads, trigger):
        """Fire the offers of ``trigger`` for ``leads``: one reward per (offer, lead), never a second one.

        The offers are the active ones of the group each lead came through (``referral_group_id``); the
        partner is the lead's referring partner. Set-based: three queries whatever the number of leads.

        :return: the rewards created (sudo)
        """
        leads = leads.sudo().filtered(lambda lead: lead.referral_group_id and lead.referral_partner_id)
        if trigger == "lead_submitted":
            leads = leads.filtered("partner_submitted")
        elif trigger == "referral_signup":
            leads = leads._referral_signups()
        if not leads:
            return self.sudo().browse()
        Reward = self.sudo()
        offers = self.env["partner.offer"].sudo().search(
            [("group_id", "in", leads.referral_group_id.ids), ("trigger", "=", trigger)])
        if not offers:
            return Reward.browse()
        offers_by_group = defaultdict(list)
        for offer in offers:
            offers_by_group[offer.group_id.id].append(offer)
        rows = []
        for lead in leads:
            for offer in offers_by_group[lead.referral_group_id.id]:
                amount = offer._reward_amount(lead)
                if amount <= 0:
                    continue  # a percentage of nothing: no line to approve
                rows.append((offer.id, lead.id, lead.referral_partner_id.commercial_partner_id.id,
                             "%s: %s" % (offer.name, lead.name), amount))
        return self._insert_rows(rows)

    @api.model
    def _grant_registrations(self, registrations, trigger):
        """Fire the offers of ``trigger`` (registration_approved, registration_won) for approved deal
        registrations: the partner is the registering reseller, the source the registration's opportunity; one
        reward per (offer, registration), as for leads. The caller checks that our side acts.

        :return: the rewards created (sudo)
        """
        registrations = registrations.sudo().filtered(lambda reg: reg.group_id and reg.lead_id)
        offers = self.env["partner.offer"].sudo().search(
            [("group_id", "in", registrations.group_id.ids), ("trigger", "=", trigger)]) if registrations else []
        rows = []
        for offer in offers:
            for registration in registrations.filtered(lambda reg, offer=offer: reg.group_id == offer.group_id):
                amount = offer._reward_amount(registration.lead_id)
                if amount > 0:
                    rows.append((offer.id, registration.lead_id.id, registration.partner_id.id,
                                 "%s: %s" % (offer.name, registration.name), amount))
        return self._insert_rows(rows)

    def _insert_rows(self, rows):
        """Insert the reward lines ``rows`` [(offer id, lead id, partner id, name, amount)], skipping those
        whose (offer, lead) is already rewarded. :return: the rewards created (sudo)"""
        Reward = self.sudo()
        if not rows:
            return Reward.browse()
        # One INSERT for all the lines (the ORM creates them one statement per line); the unique index
        # on (offer, lead) skips the ones already granted, even by a concurrent transaction.
        self.env["partner.offer"].flush_model()
        offer_ids, lead_ids, partner_ids, names, amounts = zip(*rows, strict=True)
        now = fields.Datetime.now()
        self.env.cr.execute(SQL(
            """INSERT INTO partner_reward (offer_id, lead_id, partner_id, name, amount, trigger, group_id,
                                           company_id, currency_id, date, state, create_uid, create_date,
                                           write_uid, write_date)
               SELECT line.offer_id, line.lead_id, line.partner_id, line.name, line.amount, offer.trigger,
                      offer.group_id, offer.company_id, offer.currency_id, %(today)s, 'pending',
                      %(uid)s, %(now)s, %(uid)s, %(now)s
                 FROM unnest(%(offer_ids)s::int[], %(lead_ids)s::int[], %(partner_ids)s::int[],
                             %(names)s::varchar[], %(amounts)s::numeric[])
                      AS line(offer_id, lead_id, partner_id, name, amount)
                 JOIN partner_offer offer ON offer.id = line.offer_id
                   ON CONFLICT (offer_id, lead_id) DO NOTHING
               RETURNING id""",
            today=fields.Date.context_today(self), uid=self.env.uid, now=now,
            offer_ids=list(offer_ids), lead_ids=list(lead_ids), partner_ids=list(partner_ids),
            names=list(names), amounts=list(amounts),
        ))
        rewards = Reward.browse([row[0] for row in self.env.cr.fetchall()])
        # the new lines are not in the cache yet, nor in the partners' and leads' lists
        self.env["res.partner"].browse(partner_ids).invalidate_recordset(["partner_reward_ids"])
        self.env["crm.lead"].browse(lead_ids).invalidate_recordset(["partner_reward_ids"])
        return rewards

    # ------------------------------------------------------------------ workflow
    def action_approve(self):
        """Pending → approved; the reward joins its partner's statement of the month."""
        if invalid := self.filtered(lambda reward: reward.state != "pending"):
            raise UserError(self.env._("Only pending rewards can be approved: %(names)s.",
                                       names=", ".join(invalid.mapped("name"))))
        self._workflow_write({"state": "approved", "date_approved": fields.Date.context_today(self)})
        self.env["partner.commission.statement"]._attach_rewards(self)
        return True

    def action_mark_paid(self):
        """Approved → paid."""
        if invalid := self.filtered(lambda reward: reward.state != "approved"):
            raise UserError(self.env._("Only approved rewards can be paid: %(names)s.",
                                       names=", ".join(invalid.mapped("name"))))
        self._workflow_write({"state": "paid", "date_paid": fields.Date.context_today(self)})
        return True

    def action_cancel(self):
        """Pending or approved → cancelled (it leaves its statement); a paid reward stays paid."""
        if invalid := self.filtered(lambda reward: reward.state == "paid"):
            raise UserError(self.env._("A paid reward cannot be cancelled: %(names)s.",
                                       names=", ".join(invalid.mapped("name"))))
        self._workflow_write({"state": "cancelled", "statement_id": False, "date_approved": False})
        return True

    def action_reset(self):
        """Cancelled → pending, to be approved again."""
        self.filtered(lambda reward: reward.state == "cancelled")._workflow_write({"state": "pending"})
        return True

    def _workflow_write(self, vals):
        """The one way the workflow actions (and the statements they fill) write rewards."""
        return self.with_context(partner_reward_workflow=_WORKFLOW).write(vals)

    def write(self, vals):
        # Money: whoever calls (administrators and superuser included), approved and paid rewards change only
        # through the workflow actions, the workflow fields are theirs, and the source of a reward never moves.
        if self and self.env.context.get("partner_reward_workflow") is not _WORKFLOW:
            self.check_access("write")  # who may not write rewards at all is told so first
            if SOURCE_FIELDS & set(vals):
                raise UserError(self.env._(
                    "A reward's offer, lead and partner cannot be changed: cancel it instead."))
            if WORKFLOW_FIELDS & set(vals):
                raise UserError(self.env._(
                    "A reward's state, dates and statement change only through Approve, Mark as Paid and Cancel."))
            if set(vals) - MAIL_FIELDS and self.filtered(lambda reward: reward.state in ("approved", "paid")):
                raise UserError(self.env._("An approved or paid reward cannot be changed: cancel it first."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never_approved_or_paid(self):
        if self.filtered(lambda reward: reward.state in ("approved", "paid")):
            raise UserError(self.env._("An approved or paid reward cannot be deleted: cancel it first."))

    @api.constrains("statement_id", "partner_id", "currency_id")
    def _check_statement_partner(self):
        for reward in self.filtered("statement_id"):
            statement = reward.statement_id
            if (statement.partner_id, statement.currency_id) != (reward.partner_id, reward.currency_id):
                raise ValidationError(self.env._(
                    "%(reward)s: a reward belongs to the statement of its own partner, in its currency.",
                    reward=reward.name))

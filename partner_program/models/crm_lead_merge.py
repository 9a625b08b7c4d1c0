"""crm.lead: CRM's Merge and Delete when rewards and fund operations hang from a lead.

Merge moves every record of the add-on that points at a merged lead to the kept lead, like crm's
``_merge_dependences`` moves messages and attachments. Rewards stay unique per offer and lead, the ledger
stays append-only (lines are moved, never changed or deleted); a merge that would break either rule is
refused with a sentence saying what to do. Deleting a lead that money hangs from is refused, archiving is
offered instead.
"""
from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import UserError
from odoo.fields import Command


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    def _merge_get_fields(self):
        # where the lead came from: the first merged lead that has it wins, like any many2one of crm
        return super()._merge_get_fields() + [
            "referral_partner_id", "referral_link_id", "referral_group_id", "partner_submitted",
            "date_partner_qualified",
        ]

    def _merge_dependences(self, opportunities):
        result = super()._merge_dependences(opportunities)
        self._merge_dependences_partner_program(opportunities)
        return result

    def _merge_dependences_partner_program(self, opportunities):
        """Move the add-on's records of ``opportunities`` (the merged leads) to ``self`` (the kept lead).

        - fund operations move to the kept lead, untouched otherwise (the ledger is append-only); if the kept
          lead and a merged lead were both credited to the same fund, the merge is refused;
        - rewards move too; when two leads were rewarded by the same offer, the most advanced reward is
          kept (paid, approved, pending, cancelled), a pending or cancelled duplicate is deleted and the
          kept lead's chatter says so; an approved or paid duplicate refuses the merge;
        - declined resellers and registration conflicts are united; conflicts of other leads that named a
          merged lead now name the kept lead.
        """
        self.ensure_one()
        head, tails = self.sudo(), opportunities.sudo() - self.sudo()
        if not tails:
            return
        notes = self.env["partner.fund.operation"]._merge_into_lead(tails, head)
        notes += self.env["partner.reward"]._merge_into_lead(tails, head)
        conflicts = (tails.partner_conflict_ids | head.partner_conflict_ids) - head - tails
        head.write({
            "partner_declined_ids": [Command.link(partner.id) for partner in tails.partner_declined_ids],
            "partner_conflict_ids": [Command.set(conflicts.ids)],
        })
        naming_tails = self.sudo().with_context(active_test=False).search(
            [("partner_conflict_ids", "in", tails.ids), ("id", "not in", (head | tails).ids)])
        for lead in naming_tails:
            lead.partner_conflict_ids = [Command.unlink(tail.id) for tail in tails] + [Command.link(head.id)]
        if notes:
            head.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>") % (
                    self.env._("Partner Program, merge:"),
                    Markup().join(Markup("<li>%s</li>") % note for note in notes),
                ),
                subtype_xmlid="mail.mt_note",
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_money(self):
        """A lead that fund operations or rewards point at is never deleted: the ledger keeps its source."""
        domain = [("lead_id", "in", self.ids)]
        leads = (self.env["partner.fund.operation"].sudo().search(domain).lead_id
                 | self.env["partner.reward"].sudo().search(domain).lead_id)
        if not leads:
            return
        raise UserError(self.env._(
            "%(leads)s cannot be deleted: fund operations or partner rewards were recorded for it, and the "
            "ledger keeps where its money came from. Archive it instead (Actions > Archive), or merge it into "
            "another opportunity, which takes them along.",
            leads=", ".join(leads.mapped("display_name")),
        ))


# The two ledgers' side of the merge lives here, beside the merge it serves: it is the only path that may
# move their lines from one lead to another.
class PartnerFundOperation(models.Model):
    _inherit = "partner.fund.operation"

    @api.model
    def _merge_into_lead(self, tails, head):
        """Move the operations of the leads ``tails`` to the lead ``head``; return notes for its chatter.

        Operations are append-only (``write`` refuses every change): re-pointing ``lead_id`` when CRM merges
        the lead is the one change allowed, done in SQL here and nowhere else. Amounts, dates, funds and
        reversals are kept as they are, so balances do not move.
        """
        operations = self.sudo().search([("lead_id", "in", (tails | head).ids)])
        moved = operations.filtered(lambda operation: operation.lead_id in tails)
        if not moved:
            return []
        # the unique index "(fund, lead, type) once, reversals aside" must still hold on the kept lead
        seen = {}
        for operation in operations.filtered(lambda operation: not operation.reversed_operation_id):
            key = (operation.fund_id, operation.operation_type)
            if key in seen and seen[key].lead_id != operation.lead_id:
                raise UserError(self.env._(
                    "%(first)s and %(second)s cannot be merged: both were credited to %(fund)s, and the "
                    "merged opportunity would count twice. Keep them apart (archive the duplicate), or "
                    "ask a fund manager to reverse one of the credits and merge the others.",
                    first=seen[key].lead_id.display_name, second=operation.lead_id.display_name,
                    fund=operation.fund_id.display_name,
                ))
            seen[key] = operation
        sources = ", ".join(moved.lead_id.mapped("display_name"))
        self.flush_model(["lead_id"])
        self.env.cr.execute(
            "UPDATE partner_fund_operation SET lead_id = %s WHERE id IN %s", (head.id, tuple(moved.ids)))
        self.invalidate_model(["lead_id"])
        if len(moved) == 1:
            return [self.env._("1 fund operation moved from %(leads)s.", leads=sources)]
        return [self.env._("%(count)s fund operations moved from %(leads)s.", count=len(moved), leads=sources)]


class PartnerReward(models.Model):
    _inherit = "partner.reward"

    # which reward of an offer survives a merge: the one furthest in its life
    _MERGE_KEEP_ORDER = ("paid", "approved", "pending", "cancelled")

    @api.model
    def _merge_into_lead(self, tails, head):
        """Move the rewards of the leads ``tails`` to the lead ``head``; return notes for its chatter.

        A reward is unique per offer and lead. When the merged leads were rewarded by the same offer, one
        reward is kept: the most advanced (paid, approved, pending, cancelled), the kept lead's on a tie. A
        pending or cancelled duplicate is deleted (no money was committed for it); an approved or paid
        duplicate refuses the merge, since one of them would then have to be undone by hand first.
        """
        Reward = self.sudo()  # ledger lines, moved for a user who may merge the leads
        rewards = Reward.search([("lead_id", "in", (tails | head).ids)])
        if not rewards.filtered(lambda reward: reward.lead_id in tails):
            return []
        by_offer = {}
        for reward in rewards:
            by_offer.setdefault(reward.offer_id, []).append(reward)
        dropped, moved, notes = Reward.browse(), Reward.browse(), []
        for offer, group in by_offer.items():
            group.sort(key=lambda reward: (self._MERGE_KEEP_ORDER.index(reward.state), reward.lead_id != head,
                                           reward.id))
            kept, duplicates = group[0], Reward.browse([reward.id for reward in group[1:]])
            if committed := duplicates.filtered(lambda reward: reward.state in ("approved", "paid")):
                raise UserError(self.env._(
                    "These opportunities cannot be merged: %(first)s and %(second)s were both rewarded by "
                    "the offer %(offer)s, and both rewards are approved or paid. Cancel one of them first "
                    "(a paid one cannot be cancelled: then keep the opportunities apart).",
                    first=kept.lead_id.display_name, second=committed[0].lead_id.display_name,
                    offer=offer.display_name,
                ))
            for duplicate in duplicates:
                notes.append(self.env._(
                    "reward %(reward)s (%(state)s) of %(lead)s deleted: %(kept)s (%(kept_state)s) is kept for "
                    "the same offer.",
                    reward=duplicate.name, state=duplicate.state, lead=duplicate.lead_id.display_name,
                    kept=kept.name, kept_state=kept.state,
                ))
            dropped |= duplicates
            if kept.lead_id != head:
                moved |= kept
        dropped.unlink()
        if moved:
            sources = ", ".join(moved.lead_id.mapped("display_name"))
            notes.append(self.env._("1 reward moved from %(leads)s.", leads=sources) if len(moved) == 1
                         else self.env._("%(count)s rewards moved from %(leads)s.", count=len(moved), leads=sources))
            # approved and paid rewards refuse a new lead_id in write(): the merge is the one exception
            self.flush_model(["lead_id"])
            self.env.cr.execute("UPDATE partner_reward SET lead_id = %s WHERE id IN %s",
                                (head.id, tuple(moved.ids)))
            self.invalidate_model(["lead_id"])
        return notes

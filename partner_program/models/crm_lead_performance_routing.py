"""crm.lead: routing by performance: effective weights with the fair share floor, and the simulation that
replays recent leads with and without the performance factor."""
from collections import Counter
from datetime import timedelta

from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    def _assign_performance_routing(self):
        """The leads of ``self`` whose company routes by performance, with that company's fair share floor.

        The context key ``partner_performance_routing`` (True/False) overrides the companies' setting (the
        routing simulation compares both).

        :return: {lead_id: floor} (leads routed by level weight alone are absent)
        """
        forced = self.env.context.get("partner_performance_routing")
        if forced is False or not (forced or self.env["res.company"].sudo().search_count(
                [("partner_performance_routing", "=", True)], limit=1)):
            return {}
        default = self.env.company
        result = {}
        for lead in self:
            company = lead.company_id or default
            if forced or company.partner_performance_routing:
                result[lead.id] = company.partner_performance_floor
        return result

    @api.model
    def _performance_weights(self, rows, floor):
        """Candidate rows with their effective weight: level weight x performance factor, then raised so that
        no reseller's share of the turn is below ``floor`` x the share its level weight alone gives it.

        :return: new row dicts; ``weight`` is the effective weight, ``level_weight`` and ``factor`` what it
            comes from, ``floored`` tells the floor raised it
        """
        rows = [dict(row, level_weight=row["weight"], weight=row["weight"] * row["factor"], floored=False)
                for row in rows]
        factors = [row["factor"] for row in rows]
        # no share can fall below the floor when the factors are that close (share_i >= f_i/f_max x level share)
        if len(rows) < 2 or not floor or min(factors) >= floor * max(factors):
            return rows
        level_total = sum(row["level_weight"] for row in rows)
        minimum = {id(row): floor * row["level_weight"] / level_total for row in rows}
        raised = set()
        while True:
            free = sum(row["weight"] for row in rows if id(row) not in raised)
            total = free / (1 - sum(minimum[key] for key in raised))
            below = {id(row) for row in rows
                     if id(row) not in raised and row["weight"] < minimum[id(row)] * total - 1e-9}
            if not below:
                break
            raised |= below
        for row in rows:
            if id(row) in raised:
                row.update(weight=minimum[id(row)] * total, floored=True)
        return rows

    @api.model
    def _simulate_routing(self, days=90, company=None):
        """What automatic assignment would have done with the leads created in the last ``days`` days, by
        level weight alone and with the performance factor; nothing is written.

        Both runs see today's resellers, factors, round-robin credits, declines and open leads. The
        predictions weigh each reseller's own acceptance rate and median time to answer by the leads it
        gets (resellers without history count with the average of those with one).

        :param company: only this company's leads (default: the leads the user can read)
        :return: dict with ``leads`` (count), ``rows`` (one dict per reseller: partner, level, factor,
            cause, plain and routed lead counts and shares, acceptance, answer_hours, sample), and
            ``plain`` / ``routed`` predictions (acceptance, answer_hours)
        """
        domain = [("create_date", ">=", fields.Datetime.now() - timedelta(days=days)), ("country_id", "!=", False)]
        if company:
            domain.append(("company_id", "in", [company.id, False]))
        leads = self.with_context(active_test=False).search(domain, order="id")
        plain = Counter(leads.with_context(partner_performance_routing=False)._assign_partner_choose()[0].values())
        routed = Counter(leads.with_context(partner_performance_routing=True)._assign_partner_choose()[0].values())
        partners = self.env["res.partner"].browse(set(plain) | set(routed))
        known = partners.filtered("partner_performance_sample")
        sample = sum(known.mapped("partner_performance_sample"))
        default_acceptance = sum(p.partner_performance_acceptance * p.partner_performance_sample
                                 for p in known) / sample if sample else 0.0
        default_hours = sum(p.partner_performance_answer_hours * p.partner_performance_sample
                            for p in known) / sample if sample else 0.0
        plain_total, routed_total = sum(plain.values()) or 1, sum(routed.values()) or 1
        rows = []
        for partner in partners:
            has_history = bool(partner.partner_performance_sample)
            rows.append({
                "partner": partner,
                "level": partner.grade_id.name or "",
                "factor": partner.partner_performance_factor,
                "cause": partner.partner_performance_cause,
                "plain": plain[partner.id],
                "routed": routed[partner.id],
                "plain_share": plain[partner.id] / plain_total,
                "routed_share": routed[partner.id] / routed_total,
                "acceptance": partner.partner_performance_acceptance if has_history else default_acceptance,
                "answer_hours": partner.partner_performance_answer_hours if has_history else default_hours,
                "sample": partner.partner_performance_sample,
            })
        rows.sort(key=lambda row: (-row["routed"], -row["plain"], row["partner"].id))

        def predict(key):
            total = sum(row[key] for row in rows) or 1
            return {
                "acceptance": sum(row[key] * row["acceptance"] for row in rows) / total,
                "answer_hours": sum(row[key] * row["answer_hours"] for row in rows) / total,
            }

        return {"leads": len(leads), "days": days, "rows": rows, "plain": predict("plain"),
                "routed": predict("routed")}

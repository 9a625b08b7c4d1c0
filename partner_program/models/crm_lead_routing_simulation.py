"""crm.lead: replay recent leads through automatic assignment with and without the performance factor."""
from collections import Counter
from datetime import timedelta

from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

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

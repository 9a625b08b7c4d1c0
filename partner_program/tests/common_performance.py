from datetime import timedelta

from odoo import fields


class PerformanceMixin:
    """Builds resellers' answer histories directly in the answer log (as the portal and the expiry write it)."""

    @classmethod
    def _performance_setup(cls):
        cls.company = cls.env.company
        cls.company.write({
            "partner_performance_routing": True, "partner_performance_days": 90, "partner_performance_prior": 10,
            "partner_performance_min": 0.5, "partner_performance_max": 1.5,
        })
        cls.stage_won = cls.env["crm.stage"].create({"name": "Performance Won", "is_won": True, "sequence": 900})
        cls.stage_open = cls.env["crm.stage"].create({"name": "Performance Open", "sequence": 901})

    @classmethod
    def _history(cls, reseller, accepted=0, declined=0, expired=0, hours=4.0, won=0, lost=0, days_ago=5):
        """Log ``accepted`` / ``declined`` / ``expired`` answers of ``reseller``, each ``hours`` after the
        assignment, ``days_ago`` days ago; ``won`` and ``lost`` of the accepted ones are won / lost
        opportunities (the others stay pending)."""
        now = fields.Datetime.now()
        answered = now - timedelta(days=days_ago)
        Lead = cls.env["crm.lead"]
        leads = Lead.browse()
        rated = [True] * won + [False] * lost
        if rated:
            leads = Lead.create([{
                "name": "Perf lead of %s %s" % (reseller.name, index),
                "type": "opportunity",
                "partner_assigned_id": reseller.id,
                "stage_id": (cls.stage_won if is_won else cls.stage_open).id,
                "probability": 100 if is_won else 0,
                "active": is_won,
            } for index, is_won in enumerate(rated)])
        vals_list = []
        for index in range(accepted + declined + expired):
            outcome = "accepted" if index < accepted else "declined" if index < accepted + declined else "expired"
            vals_list.append({
                "partner_id": reseller.id,
                "company_id": cls.env.company.id,
                "lead_id": leads[index].id if outcome == "accepted" and index < len(leads) else False,
                "date_assigned": answered - timedelta(hours=hours),
                "date_answered": answered,
                "outcome": outcome,
                "answer_hours": hours,
            })
        return cls.env["partner.lead.answer"].sudo().create(vals_list)

    def _recompute(self):
        return self.env["res.partner"]._performance_recompute()

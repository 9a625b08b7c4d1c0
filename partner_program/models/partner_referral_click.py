from odoo import api, fields, models
from odoo.tools import SQL


class PartnerReferralClick(models.Model):
    """One visit of a referral link: an append-only log. A click only ever INSERTs a row, so a burst of visitors
    on one link never waits on, nor conflicts with, another one (an UPDATE of the link's counter would, under
    REPEATABLE READ). The rows are folded into the link's counter by a scheduled action."""

    _name = "partner.referral.click"
    _description = "Referral Link Click"
    _log_access = False
    _order = "id"

    link_id = fields.Many2one("partner.referral.link", required=True, index=True, ondelete="cascade")
    date = fields.Datetime(required=True, default=fields.Datetime.now)

    @api.model
    def _log(self, link):
        """Count a click of ``link``: one INSERT, nothing read, nothing locked."""
        self.env.cr.execute(SQL(
            "INSERT INTO partner_referral_click (link_id, date) VALUES (%s, (now() AT TIME ZONE 'UTC'))", link.id))

    @api.model
    def _counts(self, links):
        """{link id: clicks logged and not yet folded}, one grouped query."""
        if not links:
            return {}
        self.env.cr.execute(SQL(
            "SELECT link_id, COUNT(*) FROM partner_referral_click WHERE link_id = ANY(%s) GROUP BY link_id",
            list(links.ids)))
        return dict(self.env.cr.fetchall())

    @api.model
    def _cron_fold(self):
        """Move the logged clicks into the links' counters (``click_count_folded``): the log stays small.

        One statement: the rows deleted are exactly the rows added, and clicks arriving meanwhile are new rows
        this statement does not see, so none is lost or counted twice.
        """
        self.env["partner.referral.link"].flush_model(["click_count_folded"])
        self.env.cr.execute(SQL("""
            WITH folded AS (DELETE FROM partner_referral_click RETURNING link_id),
                 counts AS (SELECT link_id, COUNT(*) AS clicks FROM folded GROUP BY link_id)
            UPDATE partner_referral_link link
               SET click_count_folded = COALESCE(link.click_count_folded, 0) + counts.clicks
              FROM counts
             WHERE link.id = counts.link_id
        """))
        self.env["partner.referral.link"].invalidate_model(["click_count_folded", "click_count"])

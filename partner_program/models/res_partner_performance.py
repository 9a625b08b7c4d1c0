"""res.partner: the reseller's performance factor, which scales its level weight in automatic assignment."""
import math
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, formatLang

# Main reason a factor moved away from 1.0, named in the lead's "why" line and on the reseller's form.
PERFORMANCE_CAUSES = [
    ("neutral", "Too little history"),
    ("fast", "Answers fast"),
    ("slow", "Answers slowly"),
    ("accepts", "Accepts most leads"),
    ("declines", "Declines most leads"),
    ("wins", "Wins often"),
    ("loses", "Wins rarely"),
    ("timeouts", "Lets leads expire"),
]
# The figure behind each cause.
CAUSE_FIGURE = {"fast": "speed", "slow": "speed", "accepts": "acceptance", "declines": "acceptance",
                "wins": "win", "loses": "win", "timeouts": "timeouts"}


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    # Written by the recompute (set-based, scheduled and on demand); 1.0 is neutral.
    partner_performance_factor = fields.Float(
        "Performance Factor", digits=(16, 2), default=1.0, readonly=True, copy=False,
        help="Multiplies the level weight in automatic assignment when the company routes by performance: "
        "above 1 the reseller gets more leads, below 1 fewer. Computed from its recent answers and wins, also "
        "while routing by performance is off (it is then not applied).",
    )
    partner_performance_acceptance = fields.Float(
        "Acceptance Rate", readonly=True, copy=False, help="Share of answered or expired leads it accepted.")
    partner_performance_answer_hours = fields.Float(
        "Median Time to Answer (h)", readonly=True, copy=False)
    partner_performance_win_rate = fields.Float(
        "Win Rate", readonly=True, copy=False, help="Won among its accepted leads that are won or lost.")
    partner_performance_timeouts = fields.Integer("Expired Leads", readonly=True, copy=False)
    partner_performance_sample = fields.Integer(
        "Leads Counted", readonly=True, copy=False, help="Leads answered or expired in the period.")
    partner_performance_cause = fields.Selection(
        PERFORMANCE_CAUSES, "Main Cause", readonly=True, copy=False, default="neutral")
    partner_performance_date = fields.Datetime("Performance Computed On", readonly=True, copy=False)

    partner_performance_graph = fields.Html(
        "Factor History", compute="_compute_partner_performance_graph", sanitize=False,
        help="The factor at each recompute where it changed, oldest on the left; the dotted line is 1.0.")
    partner_performance_history_count = fields.Integer(
        "Performance History", compute="_compute_partner_performance_graph")

    def _compute_partner_performance_graph(self):
        """An inline SVG sparkline of the last factors, drawn from numbers only (one query for all records)."""
        History = self.env["partner.performance.history"].sudo()
        points = defaultdict(list)
        ids = [partner_id for partner_id in self.ids if partner_id]
        if ids:
            self.env.cr.execute(SQL(
                """SELECT partner_id, factor FROM (
                       SELECT partner_id, factor, date, id,
                              row_number() OVER (PARTITION BY partner_id ORDER BY date DESC, id DESC) AS rank
                         FROM partner_performance_history WHERE partner_id IN %s) last
                    WHERE rank <= %s ORDER BY partner_id, date, id""",
                tuple(ids), GRAPH_POINTS))
            for partner_id, factor in self.env.cr.fetchall():
                points[partner_id].append(factor)
            counts = dict(History._read_group([("partner_id", "in", ids)], ["partner_id"], ["__count"]))
        else:
            counts = {}
        for partner in self:
            values = points.get(partner.id, [])
            partner.partner_performance_history_count = counts.get(partner, 0)
            partner.partner_performance_graph = _sparkline(values) if values else False

    # ------------------------------------------------------------------ recompute
    @api.model
    def _cron_performance_recompute(self):
        """Scheduled action: recompute every reseller's performance factor (see ``_performance_recompute``)."""
        return self._performance_recompute()

    def action_performance_recompute(self):
        """Button of the managers (reseller form, settings): recompute all resellers' factors now."""
        if not self.env.user.has_group("partner_program.group_partner_program_manager"):
            raise AccessError(self.env._("Only partner program managers can recompute the performance factors."))
        count = self.sudo()._performance_recompute()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Performance"),
                "message": self.env._("Performance recomputed for %(count)s resellers.", count=count),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_view_performance_history(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("partner_program.partner_performance_history_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    @api.model
    def _performance_recompute(self):
        """Recompute the performance factor of every reseller (active company with a level), set-based.

        Two queries read the answer log (``partner.lead.answer``) of each company's last
        ``partner_performance_days`` days (a reseller belongs to its own company, else to the main company),
        one UPDATE writes every reseller's figures and one INSERT adds a history row for each reseller whose
        figures changed; the number of queries does not depend on the number of resellers.

        For a reseller with ``n`` leads answered or expired in the period (``a`` accepted, ``d`` declined,
        ``e`` expired, ``n = a + d + e``), ``r`` of its accepted leads rated (``w`` won, ``r - w`` lost,
        pending ones not counted), its median hours to answer ``h`` (answers and expiries, an expired lead
        counting the hours until it expired), and ``k`` the company's minimum history
        (``partner_performance_prior``), compared to its level's pooled figures over the same period (all
        resellers of the same level and company: acceptance rate ``A``, win rate ``W``, median hours ``H``):

        - acceptance: ``(a + k * A) / (n + k)``, divided by ``A``;
        - win rate: ``(w + k * W) / (r + k)``, divided by ``W``;
        - speed: ``H`` divided by the blended median ``h * n / (n + k) + H * k / (n + k)`` (times under a
          quarter of an hour count as a quarter of an hour);
        - factor = the product of the three ratios, clamped to the company's [lowest, highest] factor and
          rounded to 2 decimals. A ratio whose level figure is 0 (or unknown) counts as 1.

        A reseller with no lead in the period gets 1.0. The factor is computed whether or not its company
        routes by performance: the assignment applies it only when the company does, and the routing
        simulation shows its effect before the company switches it on.

        The main cause is the ratio farthest from 1 (largest absolute logarithm): fast/slow,
        accepts/declines (timeouts when its expired leads outnumber its declined ones), wins/loses;
        'neutral' when n is 0 or when every ratio is within 5 % of 1.

        :return: the number of resellers recomputed
        """
        self.env.flush_all()
        cr = self.env.cr
        now = fields.Datetime.now()
        main_company = self.env.ref("base.main_company", raise_if_not_found=False) or \
            self.env["res.company"].sudo().search([], order="id", limit=1)
        answers = SQL(
            """resellers AS (
                   SELECT p.id, p.grade_id, COALESCE(p.company_id, %(main)s) AS company_id
                     FROM res_partner p
                    WHERE p.grade_id IS NOT NULL AND p.is_company AND p.active
               ), answers AS (
                   SELECT r.id AS partner_id, r.grade_id, r.company_id, a.outcome, l.won_status,
                          CASE WHEN a.date_assigned IS NOT NULL THEN GREATEST(a.answer_hours, %(min_hours)s) END
                              AS hours
                     FROM resellers r
                     JOIN res_company c ON c.id = r.company_id
                     JOIN partner_lead_answer a ON a.partner_id = r.id
                          AND a.date_answered >= %(now)s - make_interval(days => c.partner_performance_days)
                          AND a.date_answered <= %(now)s
                     LEFT JOIN crm_lead l ON l.id = a.lead_id
               )""",
            main=main_company.id, now=now, min_hours=MIN_HOURS)
        counts = SQL(
            """count(a.outcome) FILTER (WHERE a.outcome = 'accepted'),
               count(a.outcome) FILTER (WHERE a.outcome = 'declined'),
               count(a.outcome) FILTER (WHERE a.outcome = 'expired'),
               count(a.outcome) FILTER (WHERE a.outcome = 'accepted' AND a.won_status = 'won'),
               count(a.outcome) FILTER (WHERE a.outcome = 'accepted' AND a.won_status = 'lost'),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY a.hours)""")
        cr.execute(SQL(
            """WITH %s SELECT a.company_id, a.grade_id, %s FROM answers a GROUP BY a.company_id, a.grade_id""",
            answers, counts))
        levels = {(row[0], row[1]): row[2:] for row in cr.fetchall()}
        cr.execute(SQL(
            """WITH %s
               SELECT r.id, r.grade_id, r.company_id, c.partner_performance_prior,
                      c.partner_performance_min, c.partner_performance_max,
                      p.partner_performance_factor, p.partner_performance_acceptance,
                      p.partner_performance_answer_hours, p.partner_performance_win_rate,
                      p.partner_performance_timeouts, p.partner_performance_sample, %s
                 FROM resellers r
                 JOIN res_partner p ON p.id = r.id
                 JOIN res_company c ON c.id = r.company_id
                 LEFT JOIN answers a ON a.partner_id = r.id
                GROUP BY r.id, r.grade_id, r.company_id, c.id, p.id
                ORDER BY r.id""",
            answers, counts))
        updates, history = [], []
        for (partner_id, grade_id, company_id, prior, low, high, *previous, accepted, declined, expired,
             won, lost, hours) in cr.fetchall():
            figures = _performance_figures(
                (accepted, declined, expired, won, lost, hours), levels.get((company_id, grade_id)),
                prior=prior or 0, low=float(low or 1.0), high=float(high or 1.0))
            updates.append((partner_id, *figures))
            factor, acceptance, hours, win_rate, timeouts, sample, cause = figures
            old_factor, old_acceptance, old_hours, old_win_rate, old_timeouts, old_sample = previous
            if (round(float(old_factor or 0), 2), round(old_acceptance or 0, 4), round(old_hours or 0, 2),
                    round(old_win_rate or 0, 4), old_timeouts or 0, old_sample or 0) != (
                    factor, round(acceptance, 4), round(hours, 2), round(win_rate, 4), timeouts, sample):
                history.append({
                    "partner_id": partner_id, "company_id": company_id, "grade_id": grade_id, "date": now,
                    "factor": factor, "acceptance": acceptance, "answer_hours": hours, "win_rate": win_rate,
                    "timeouts": timeouts, "sample": sample, "cause": cause,
                })
        if updates:
            cr.execute(SQL(
                """UPDATE res_partner p
                      SET partner_performance_factor = v.factor, partner_performance_acceptance = v.acceptance,
                          partner_performance_answer_hours = v.hours, partner_performance_win_rate = v.win_rate,
                          partner_performance_timeouts = v.timeouts, partner_performance_sample = v.sample,
                          partner_performance_cause = v.cause, partner_performance_date = %s
                     FROM (VALUES %s) AS v(id, factor, acceptance, hours, win_rate, timeouts, sample, cause)
                    WHERE p.id = v.id""",
                now,
                SQL(", ").join(
                    SQL("(%s::int, %s::numeric, %s::float8, %s::float8, %s::float8, %s::int, %s::int, %s::varchar)",
                        *row) for row in updates)))
            self.env["res.partner"].invalidate_model([
                "partner_performance_factor", "partner_performance_acceptance", "partner_performance_answer_hours",
                "partner_performance_win_rate", "partner_performance_timeouts", "partner_performance_sample",
                "partner_performance_cause", "partner_performance_date"])
        if history:
            self.env["partner.performance.history"].sudo().create(history)
        return len(updates)

    # ------------------------------------------------------------------ portal
    @api.model
    def _performance_portal_values(self):
        """The current portal user's own performance, for its program page: ``{'performance': dict or False}``.

        Only its own commercial partner's figures, and only when it is a reseller whose company routes leads
        by performance.
        """
        reseller = self.env.user.commercial_partner_id.sudo()
        company = reseller.company_id or self.env.ref("base.main_company", raise_if_not_found=False)
        if not (reseller.grade_id and company and company.partner_performance_routing):
            return {"performance": False}
        sample = reseller.partner_performance_sample
        return {"performance": {
            "factor": formatLang(self.env, reseller.partner_performance_factor, digits=2),
            "sample": sample,
            "days": company.partner_performance_days,
            "acceptance": "%s %%" % formatLang(self.env, reseller.partner_performance_acceptance * 100, digits=0),
            "answer_hours": formatLang(self.env, reseller.partner_performance_answer_hours, digits=1),
            "win_rate": "%s %%" % formatLang(self.env, reseller.partner_performance_win_rate * 100, digits=0),
            "timeouts": reseller.partner_performance_timeouts,
            "cause": reseller.partner_performance_cause,
            "date": reseller.partner_performance_date,
        }}
    def _performance_cause_texts(self):
        """What the assignment's "why" line says about each reseller's factor: its main cause first, then its
        other figures ("answers in 2 h, accepts 80 %, wins 34 %").

        :return: {partner_id: text}
        """
        result = {}
        for partner in self:
            if not partner.partner_performance_sample:
                result[partner.id] = self.env._("too little history to judge")
                continue
            parts = {
                "speed": self.env._("answers in %(hours)s h", hours=_hours(partner.partner_performance_answer_hours)),
                "acceptance": self.env._("accepts %(rate)s of its leads",
                                         rate=_percent(partner.partner_performance_acceptance)),
                "win": self.env._("wins %(rate)s", rate=_percent(partner.partner_performance_win_rate)),
            }
            if partner.partner_performance_timeouts:
                parts["timeouts"] = self.env._("let %(count)s leads expire", count=partner.partner_performance_timeouts)
            main = CAUSE_FIGURE.get(partner.partner_performance_cause)
            order = ([main] if main in parts else []) + [key for key in parts if key != main]
            result[partner.id] = ", ".join(parts[key] for key in order)
        return result


def _hours(value):
    return ("%.1f" % value) if value < 10 else ("%.0f" % value)


def _percent(rate):
    return "%.0f %%" % (100 * (rate or 0))


MIN_HOURS = 0.25  # answers faster than a quarter of an hour count as a quarter of an hour
NEUTRAL_LOG = math.log(1.05)  # a ratio within 5 % of 1 is no cause
GRAPH_POINTS = 30


def _performance_figures(mine, level, prior, low, high):
    """One reseller's (factor, acceptance, median hours, win rate, expired, sample, cause) from its counts
    ``mine`` and its level's ``level`` (accepted, declined, expired, won, lost, median hours); see
    ``_performance_recompute`` for the formula."""
    accepted, declined, expired, won, lost, hours = mine
    sample = accepted + declined + expired
    rated = won + lost
    acceptance = accepted / sample if sample else 0.0
    win_rate = won / rated if rated else 0.0
    hours = float(hours or 0.0)
    if not sample or not level:
        return 1.0, acceptance, hours, win_rate, expired, sample, "neutral"
    level_accepted, level_declined, level_expired, level_won, level_lost, level_hours = level
    level_sample = level_accepted + level_declined + level_expired
    level_rated = level_won + level_lost
    ratios = {}
    level_acceptance = level_accepted / level_sample if level_sample else 0.0
    ratios["acceptance"] = (
        (accepted + prior * level_acceptance) / (sample + prior) / level_acceptance if level_acceptance else 1.0)
    level_win = level_won / level_rated if level_rated else 0.0
    ratios["win"] = (won + prior * level_win) / (rated + prior) / level_win if level_win and rated + prior else 1.0
    if level_hours and hours:
        weight = sample / (sample + prior)
        blended = max(hours * weight + float(level_hours) * (1 - weight), MIN_HOURS)
        ratios["speed"] = max(float(level_hours), MIN_HOURS) / blended
    else:
        ratios["speed"] = 1.0
    factor = ratios["acceptance"] * ratios["win"] * ratios["speed"]
    factor = round(min(max(factor, low), high), 2)
    key, ratio = max(ratios.items(), key=lambda item: abs(math.log(max(item[1], 1e-9))))
    if abs(math.log(max(ratio, 1e-9))) < NEUTRAL_LOG:
        cause = "neutral"
    elif key == "acceptance":
        cause = "accepts" if ratio > 1 else ("timeouts" if expired > declined else "declines")
    elif key == "win":
        cause = "wins" if ratio > 1 else "loses"
    else:
        cause = "fast" if ratio > 1 else "slow"
    return factor, acceptance, hours, win_rate, expired, sample, cause


def _sparkline(values, width=160, height=36, pad=3):
    """An SVG polyline of ``values`` (floats), with a dotted line at 1.0; numbers only, nothing from users."""
    low, high = min(min(values), 1.0), max(max(values), 1.0)
    span = (high - low) or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(value):
        return pad + (high - value) * (height - 2 * pad) / span

    points = " ".join("%.1f,%.1f" % (pad + index * step, y(value)) for index, value in enumerate(values))
    last_x, last_y = pad + (len(values) - 1) * step, y(values[-1])
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" '
        'class="o_partner_performance_graph">'
        '<line x1="0" x2="%d" y1="%.1f" y2="%.1f" stroke="#adb5bd" stroke-dasharray="2,2"/>'
        '<polyline fill="none" stroke="#017e84" stroke-width="2" points="%s"/>'
        '<circle cx="%.1f" cy="%.1f" r="2.5" fill="#017e84"/></svg>'
    ) % (width, height, width, height, width, y(1.0), y(1.0), points, last_x, last_y)

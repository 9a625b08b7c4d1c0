import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command, Domain
from odoo.http import request
from odoo.tools import SQL, email_normalize, format_amount, format_date, plaintext2html

from .partner_group import REFERRAL_COOKIE

_logger = logging.getLogger(__name__)

# Rings of real distance (km) tried in order; then the lead's country, then the nearest reseller anywhere.
ASSIGN_RINGS_KM = (50, 200, 800)
EARTH_RADIUS_KM = 6371.0
RING_SAME_COUNTRY = len(ASSIGN_RINGS_KM) + 1
RING_NEAREST = len(ASSIGN_RINGS_KM) + 2
# Leads picked by one run of the scheduled action.
CRON_BATCH = 1000
# What a reseller may change on a customer's contact from the portal: name, email, phone, address.
PORTAL_CONTACT_FIELDS = (
    "partner_name", "contact_name", "email_from", "phone",
    "street", "street2", "city", "zip", "state_id", "country_id",
)


class PortalFormError(UserError):
    """A portal form was refused; ``errors`` maps each faulty form field to what is wrong with it."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__("\n".join(errors.values()))


def _form_text(values, key):
    value = values.get(key)
    if value is None or value is False:
        return ""
    return value.strip() if isinstance(value, str) else str(value)


def _form_bool(values, key):
    value = values.get(key)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "on", "true", "yes")
    return bool(value)


def _form_float(values, key):
    """The number in a form field, None when empty; ValueError when it is not a number."""
    value = values.get(key)
    if value in (None, "", False):
        return None
    if isinstance(value, str):
        value = value.strip().replace(" ", "").replace(",", "") or None
        if value is None:
            return None
    return float(value)


def _form_int(values, key):
    value = values.get(key)
    if value in (None, "", False):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1  # never a record id: refused like an unknown one


def _form_date(values, key):
    """The date in a form field (ISO format, as <input type="date"> sends it), None when empty."""
    value = values.get(key)
    if value in (None, "", False):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError("not a date: %r" % (value,))
    return fields.Date.to_date(value.strip())


class CrmLead(models.Model):
    _inherit = "crm.lead"

    partner_latitude = fields.Float("Geo Latitude", digits=(10, 7))
    partner_longitude = fields.Float("Geo Longitude", digits=(10, 7))
    partner_assigned_id = fields.Many2one(
        "res.partner",
        "Assigned Partner",
        tracking=True,
        index="btree_not_null",
        domain="[('grade_id', '!=', False), '|', ('company_id', '=', False), ('company_id', '=', company_id)]",
        help="Reseller this lead is forwarded to.",
    )
    partner_declined_ids = fields.Many2many(
        "res.partner",
        "crm_lead_declined_partner",
        "lead_id",
        "partner_id",
        string="Partner not interested",
        help="Resellers that declined this lead: automatic assignment never proposes them again.",
    )
    date_partner_assign = fields.Date(
        "Partner Assignment Date",
        compute="_compute_date_partner_assign",
        store=True,
        readonly=False,
        copy=True,
        help="Last date this lead was assigned to a reseller.",
    )

    # Reseller portal: answers, answer deadline and deal registration.
    date_partner_accept = fields.Datetime(
        "Partner Acceptance Date",
        compute="_compute_date_partner_accept",
        store=True,
        readonly=False,
        copy=False,
        help="When the assigned reseller said it is interested in this lead; cleared when another reseller is "
        "assigned.",
    )
    date_partner_decline = fields.Datetime(
        "Partner Decline Date",
        readonly=True,
        copy=False,
        help="Last time a reseller declined this lead, or let its time to answer run out.",
    )
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
    partner_conflict_ids = fields.Many2many(
        "crm.lead",
        "crm_lead_partner_conflict_rel",
        "lead_id",
        "conflict_id",
        string="Registration Conflicts",
        copy=False,
        groups="partner_program.group_partner_program_user",
        help="Open leads or opportunities of other resellers for the same customer, found when a reseller "
        "registered this deal: the salesperson decides who keeps it.",
    )

    # Growth: leads partners bring through their referral links or submit from their portal.
    referral_partner_id = fields.Many2one(
        "res.partner", "Referring Partner", tracking=True, index="btree_not_null", copy=False,
        help="The partner company that brought this lead (referral link or lead submission): its rewards follow.",
    )
    referral_link_id = fields.Many2one("partner.referral.link", index="btree_not_null",
                                       ondelete="set null", copy=False, readonly=True)
    referral_group_id = fields.Many2one(
        "partner.group", "Partner Group", index="btree_not_null", ondelete="set null", copy=False,
        help="The group whose offers apply to this lead (the referring partner's group when the lead came in).",
    )
    partner_submitted = fields.Boolean("Submitted by Partner", readonly=True, copy=False)
    date_partner_qualified = fields.Datetime(
        "Partner Lead Qualified", readonly=True, copy=False,
        help="When this lead the partner brought became an opportunity (or left its first stage).",
    )
    partner_reward_ids = fields.One2many("partner.reward", "lead_id", "Partner Rewards",
                                         groups="partner_program.group_partner_program_user")

    @api.depends("partner_assigned_id")
    def _compute_date_partner_accept(self):
        self.date_partner_accept = False

    @api.depends("partner_assigned_id", "type")
    def _compute_date_partner_answer_due(self):
        now = fields.Datetime.now()
        for lead in self:
            days = (lead.company_id or self.env.company).partner_answer_days
            if lead.partner_assigned_id and lead.type == "lead" and days > 0:
                lead.date_partner_answer_due = now + timedelta(days=days)
                lead.date_partner_answer_remind = now + timedelta(days=days / 2)
            else:
                lead.date_partner_answer_due = lead.date_partner_answer_remind = False

    @api.depends("partner_assigned_id")
    def _compute_date_partner_assign(self):
        today = fields.Date.context_today(self)
        for lead in self:
            lead.date_partner_assign = today if lead.partner_assigned_id else False

    # ------------------------------------------------------------------ assignment
    @api.model_create_multi
    def create(self, vals_list):
        referral_link = self._referral_from_request()
        for vals in vals_list:
            if referral_link:
                self._referral_apply(vals, referral_link)
            self._add_salesperson_of_assigned_partner(vals)
        leads = super().create(vals_list)
        leads._referral_after_create()
        return leads

    def write(self, vals):
        self._add_salesperson_of_assigned_partner(vals)
        old_types = self._referral_watch_qualification(vals)
        result = super().write(vals)
        if old_types:
            self._referral_check_qualified(old_types)
        return result

    def _add_salesperson_of_assigned_partner(self, vals):
        """The assigned reseller's salesperson follows the lead, unless the caller sets one."""
        if vals.get("partner_assigned_id") and "user_id" not in vals:
            salesperson = self.env["res.partner"].browse(vals["partner_assigned_id"]).user_id
            if salesperson:
                vals["user_id"] = salesperson.id

    def action_assign_partner(self):
        """Button and list action: assign automatically, then tell the user what happened."""
        summary = self.assign_partner()
        messages, kind = [], "success"
        if summary["assigned"]:
            messages.append(self.env._("%(count)s lead(s) assigned to a reseller.", count=len(summary["assigned"])))
        if summary["no_country"]:
            kind = "warning"
            messages.append(self.env._(
                "No country on %(names)s: tagged 'No partner available'.",
                names=", ".join(summary["no_country"].mapped("name")),
            ))
        if summary["unavailable"]:
            kind = "warning"
            messages.append(self.env._(
                "No eligible reseller for %(names)s: tagged 'No partner available'.",
                names=", ".join(summary["unavailable"].mapped("name")),
            ))
        if summary["geocoder_error"]:
            kind = "warning"
            messages.append(self.env._(
                "The geocoder could not be reached (%(error)s): leads without coordinates were matched by "
                "country, state and city instead.",
                error=summary["geocoder_error"],
            ))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Partner assignment"),
                "message": "\n".join(messages) or self.env._("Nothing to assign."),
                "type": kind,
                "sticky": kind != "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def assign_partner(self, partner_id=False):
        """Assign resellers to the leads in ``self``.

        With ``partner_id``, every lead gets that reseller (manual assignment). Without it, each lead
        gets the fairest eligible reseller of the nearest ring, see ``_assign_partner_auto``.

        :return: dict with the recordsets ``assigned``, ``no_country`` and ``unavailable``, and
            ``geocoder_error`` (the geocoder's message, or False)
        """
        self.check_access("write")
        if partner_id:
            self.write({"partner_assigned_id": partner_id})
            return {"assigned": self, "no_country": self.browse(), "unavailable": self.browse(),
                    "geocoder_error": False}
        return self._assign_partner_auto()

    def _assign_partner_auto(self):
        leads = self._assign_partner_todo()
        no_country = leads.filtered(lambda lead: not lead.country_id)
        leads -= no_country
        geocoder_error = leads._assign_geo_localize()
        choices, reasons, credit = leads._assign_partner_choose()
        unavailable = leads.filtered(lambda lead: lead.id not in choices)
        leads._apply_partner_choices(choices, reasons)
        self._store_assign_credit(credit)
        tag = self.env.ref("partner_program.tag_no_partner_available", raise_if_not_found=False)
        if tag and (no_country | unavailable):
            (no_country | unavailable).write({"tag_ids": [fields.Command.link(tag.id)]})
        return {
            "assigned": leads - unavailable,
            "no_country": no_country,
            "unavailable": unavailable,
            "geocoder_error": geocoder_error,
        }

    def _assign_partner_todo(self):
        """The leads automatic assignment works on: open ones (active, neither won nor lost)."""
        return self.filtered(lambda lead: lead.active and lead.won_status == "pending")

    def _assign_partner_propose(self):
        """Dry run of the automatic assignment: what it would choose, with nothing written.

        The geocoder is not called: leads without coordinates are matched by country, state and city.

        :return: (choices {lead_id: partner_id}, reasons {lead_id: reason}) as ``_assign_partner_choose``
        """
        leads = self._assign_partner_todo().filtered("country_id")
        choices, reasons, _credit = leads._assign_partner_choose()
        return choices, reasons

    def _assign_partner_choose(self, forced=None):
        """Choose a reseller for each lead of ``self`` in its nearest ring; nothing is written.

        Smooth weighted round-robin: every candidate earns its weight, the richest wins and pays the
        total. Over many leads each reseller's share tends to its weight, with no dice involved.

        :param dict forced: {lead_id: partner_id} choices made by a user. They are kept as they are, and
            charged to the round-robin like automatic choices when the reseller is one of the lead's
            candidates, so forwarding by hand does not skew the fairness of later automatic runs.
        :return: (choices {lead_id: partner_id}, reasons {lead_id: candidate row of the chosen reseller
            plus ``total`` weight and ``candidates`` count}, credit {partner_id: new round-robin credit})
        """
        forced = forced or {}
        credit, load, capacity = {}, {}, {}
        choices, reasons, full = dict(forced), {}, set()
        todo = self
        while todo:
            full_before = len(full)
            candidates = todo._assign_partner_candidates(exclude_ids=full)
            retry = []
            for lead_id in todo.ids:
                rows = [row for row in candidates.get(lead_id, ()) if row["partner_id"] not in full]
                if not rows:
                    if lead_id in candidates:
                        retry.append(lead_id)  # its ring filled up during this run: look further out
                    continue
                if lead_id in forced and forced[lead_id] not in {row["partner_id"] for row in rows}:
                    continue  # sent outside its nearest ring by hand: no round-robin turn to charge
                for row in rows:
                    load.setdefault(row["partner_id"], row["open_leads"])
                    capacity.setdefault(row["partner_id"], row["capacity"])
                best, total = self._round_robin_pick(credit, rows, forced.get(lead_id))
                pid = best["partner_id"]
                load[pid] += 1
                if capacity[pid] and load[pid] >= capacity[pid]:
                    full.add(pid)
                choices[lead_id] = pid
                reasons[lead_id] = dict(best, total=total, candidates=len(rows))
            if not retry or (len(retry) == len(todo) and len(full) == full_before):
                break
            todo = self.browse(retry)
        return choices, reasons, credit

    @api.model
    def _round_robin_pick(self, credit, rows, partner_id=None):
        """One round-robin turn over the candidate ``rows``; updates ``credit`` in place.

        :param partner_id: the winner when already chosen (must be one of ``rows``), else the richest
        :return: (row of the winner, total weight of the turn)
        """
        for row in rows:
            credit.setdefault(row["partner_id"], row["credit"])
            credit[row["partner_id"]] += row["weight"]
        total = sum(row["weight"] for row in rows)
        if partner_id:
            best = next(row for row in rows if row["partner_id"] == partner_id)
        else:
            best = max(rows, key=lambda row: (credit[row["partner_id"]], -(row["distance"] or 0),
                                              -row["partner_id"]))
        credit[best["partner_id"]] -= total
        return best, total

    def _assign_geo_localize(self):
        """Give coordinates to the leads that have none; on the first geocoder failure, stop asking.

        :return: False, or the geocoder's error message (the leads then keep no coordinates and are
            matched by country, state and city).
        """
        for lead in self.with_context(lang="en_US"):
            if lead.partner_latitude or lead.partner_longitude:
                continue
            try:
                result = self.env["res.partner"]._geo_localize(
                    lead.street, lead.zip, lead.city, lead.state_id.name, lead.country_id.name
                )
            except Exception as error:  # noqa: BLE001 - any failure of the remote service means "unreachable"
                _logger.info("Geocoder unreachable during partner assignment: %s", error)
                return str(error.args[0] if isinstance(error, UserError) and error.args else error)
            if result:
                lead.write({"partner_latitude": result[0], "partner_longitude": result[1]})
        return False

    def _assign_partner_candidates(self, exclude_ids=()):
        """One query for all leads: the eligible resellers of each lead's nearest non-empty ring.

        :return: {lead_id: [row]}, each row a dict with partner_id, weight, distance (km or None), ring,
            and the reseller's capacity, open_leads and round-robin credit
        """
        if not self:
            return {}
        self.env["crm.lead"].flush_model()
        self.env["res.partner"].flush_model()
        self.env["res.partner.grade"].flush_model()
        self.env.cr.execute(self._assign_partner_candidates_query(exclude_ids))
        result = defaultdict(list)
        for row in self.env.cr.dictfetchall():
            result[row["lead_id"]].append(row)
        return result

    def _assign_partner_candidates_query(self, exclude_ids=()):
        """The SQL of ``_assign_partner_candidates`` (also used by the benchmarks' one-statement floor)."""
        rings = ASSIGN_RINGS_KM
        # Coordinates are numeric columns: convert them to radians (float8) once per row. Leads with a
        # reseller within the outer ring only look at resellers inside a latitude/longitude window around
        # them (a cheap prefilter; rings themselves use the real distance); the others, and leads without
        # coordinates, are compared with every reseller.
        band = rings[-1] / EARTH_RADIUS_KM  # outer ring as an angle (radians)
        distance = SQL(
            """CASE WHEN lead.lat IS NOT NULL AND r.lat IS NOT NULL THEN
                   %s * asin(least(1, sqrt(power(sin((r.lat - lead.lat) / 2), 2)
                                           + lead.cos_lat * r.cos_lat * power(sin((r.lon - lead.lon) / 2), 2))))
               END""", 2 * EARTH_RADIUS_KM)
        eligible = SQL(
            """(r.company_id IS NULL OR lead.company_id IS NULL OR r.company_id = lead.company_id)
               AND NOT r.id = ANY(lead.declined)""")
        return SQL(
            """
            WITH lead AS MATERIALIZED (
                SELECT l.id, l.country_id, l.state_id, l.company_id,
                       NULLIF(lower(trim(l.city)), '') AS city, g.lat, g.lon, cos(g.lat) AS cos_lat,
                       CASE WHEN cos(g.lat) > sin(%(band)s) THEN asin(sin(%(band)s) / cos(g.lat)) ELSE pi() END
                           AS lon_band,
                       ARRAY(SELECT d.partner_id FROM crm_lead_declined_partner d WHERE d.lead_id = l.id)
                           AS declined
                  FROM unnest(%(lead_ids)s::int[]) AS ids(id)
                  JOIN crm_lead l ON l.id = ids.id
                  CROSS JOIN LATERAL (
                      SELECT CASE WHEN l.partner_latitude <> 0 OR l.partner_longitude <> 0
                                  THEN radians(l.partner_latitude::float8) END AS lat,
                             CASE WHEN l.partner_latitude <> 0 OR l.partner_longitude <> 0
                                  THEN radians(l.partner_longitude::float8) END AS lon
                  ) g
            ), reseller AS MATERIALIZED (
                SELECT p.id, p.country_id, p.state_id, p.company_id, p.partner_weight AS weight,
                       NULLIF(lower(trim(p.city)), '') AS city, g.lat, g.lon, cos(g.lat) AS cos_lat,
                       coalesce(p.partner_capacity, 0) AS capacity,
                       coalesce(p.partner_assign_credit, 0) AS credit,
                       coalesce(load.open_leads, 0) AS open_leads
                  FROM res_partner p
                  JOIN res_partner_grade grade ON grade.id = p.grade_id AND grade.active
                  CROSS JOIN LATERAL (
                      SELECT CASE WHEN p.partner_latitude <> 0 OR p.partner_longitude <> 0
                                  THEN radians(p.partner_latitude::float8) END AS lat,
                             CASE WHEN p.partner_latitude <> 0 OR p.partner_longitude <> 0
                                  THEN radians(p.partner_longitude::float8) END AS lon
                  ) g
                  LEFT JOIN LATERAL (
                      SELECT count(*) AS open_leads
                        FROM crm_lead o
                       WHERE p.partner_capacity > 0
                         AND o.partner_assigned_id = p.id AND o.active AND o.won_status = 'pending'
                  ) load ON TRUE
                 WHERE p.active AND p.is_company AND p.partner_weight > 0
                   AND NOT p.id = ANY(%(exclude_ids)s)
                   AND (coalesce(p.partner_capacity, 0) = 0 OR load.open_leads < p.partner_capacity)
            )
            SELECT lead.id AS lead_id, c.partner_id, r.weight, r.capacity, r.credit, r.open_leads,
                   c.distance, c.ring
              FROM lead
             CROSS JOIN LATERAL (
                  -- resellers within the outer ring, found through the window, kept for the nearest ring
                  WITH near AS (
                      SELECT r.id AS partner_id, dist.distance,
                             CASE WHEN dist.distance <= %(ring1)s THEN 1
                                  WHEN dist.distance <= %(ring2)s THEN 2 ELSE 3 END AS ring
                        FROM reseller r
                       CROSS JOIN LATERAL (SELECT %(distance)s AS distance) dist
                       WHERE r.lat BETWEEN lead.lat - %(band)s AND lead.lat + %(band)s
                         AND least(abs(r.lon - lead.lon), 2 * pi() - abs(r.lon - lead.lon)) <= lead.lon_band
                         AND %(eligible)s
                         AND dist.distance <= %(ring3)s
                  ), far AS (
                      -- no reseller within the outer ring, or no coordinates: same city, state,
                      -- country, else the nearest anywhere
                      SELECT r.id AS partner_id, dist.distance,
                             CASE WHEN dist.distance IS NULL AND lead.country_id = r.country_id
                                       AND lead.city = r.city THEN 1
                                  WHEN dist.distance IS NULL AND lead.country_id = r.country_id
                                       AND lead.state_id = r.state_id THEN 2
                                  WHEN lead.country_id = r.country_id THEN %(ring_country)s
                                  WHEN dist.distance IS NOT NULL THEN %(ring_nearest)s
                             END AS ring
                        FROM reseller r
                       CROSS JOIN LATERAL (SELECT %(distance)s AS distance) dist
                       WHERE %(eligible)s AND NOT EXISTS (SELECT 1 FROM near)
                  )
                  SELECT partner_id, distance, ring
                    FROM (SELECT near.*, min(ring) OVER () AS best_ring FROM near) n
                   WHERE ring = best_ring
                   UNION ALL
                  SELECT partner_id, distance, ring
                    FROM (SELECT far.*, min(ring) OVER () AS best_ring,
                                 row_number() OVER (ORDER BY distance, partner_id) AS rank
                            FROM far WHERE ring IS NOT NULL) f
                   WHERE ring = best_ring AND (ring < %(ring_nearest)s OR rank = 1)
             ) c
              JOIN reseller r ON r.id = c.partner_id
             ORDER BY lead.id, c.partner_id
            """,
            lead_ids=list(self.ids),
            exclude_ids=list(exclude_ids),
            band=band,
            distance=distance,
            eligible=eligible,
            ring1=rings[0],
            ring2=rings[1],
            ring3=rings[2],
            ring_country=RING_SAME_COUNTRY,
            ring_nearest=RING_NEAREST,
        )

    def _apply_partner_choices(self, choices, reasons, intro=None):
        """Write the chosen resellers (one write per reseller) and explain each choice in the chatter.

        :param dict reasons: {lead_id: reason} from ``_assign_partner_choose``; leads without one get
            a plain "assigned to" line
        :param intro: optional text put before each explanation (e.g. who forwarded the lead)
        """
        by_partner = defaultdict(list)
        for lead_id, partner_id in choices.items():
            by_partner[partner_id].append(lead_id)
        partners = self.env["res.partner"].browse(list(by_partner))
        # The explanation below replaces the tracking message: one batched log instead of one per lead;
        # salespeople become followers without one "you have been assigned" mail per lead (as crm's own
        # lead assignment does).
        untracked = self.with_context(mail_notrack=True, mail_auto_subscribe_no_notify=True)
        for partner in partners:
            # Leads already with this reseller keep their assignment date.
            leads = untracked.browse(by_partner[partner.id]).filtered(
                lambda lead, partner=partner: lead.partner_assigned_id != partner)
            user = partner.user_id
            # A new salesperson makes crm look up a team lead by lead (two queries each): look it up
            # once per lead type here and write it along.
            moving = leads.filtered(lambda lead, user=user: user and not (
                lead.team_id and user in (lead.team_id.member_ids | lead.team_id.user_id)))
            if leads - moving:
                (leads - moving).write({"partner_assigned_id": partner.id})
            for lead_type, team_domain in (("lead", [("use_leads", "=", True)]),
                                           ("opportunity", [("use_opportunities", "=", True)])):
                group = moving.filtered(lambda lead, lead_type=lead_type: lead.type == lead_type)
                if group:
                    team = self.env["crm.team"]._get_default_team_id(user_id=user.id, domain=team_domain)
                    group.write({"partner_assigned_id": partner.id, "team_id": team.id})
        bodies = {}
        for lead_id, partner_id in choices.items():
            partner = partners.browse(partner_id)
            reason = reasons.get(lead_id)
            if not reason:
                bodies[lead_id] = Markup("<p>%s%s</p>") % (intro or "", self.env._(
                    "Assigned to reseller %(partner)s (%(level)s).",
                    partner=partner.display_name, level=partner.grade_id.name or "-",
                ))
                continue
            distance = reason["distance"]
            bodies[lead_id] = Markup("<p>%s%s</p>") % (intro or "", self.env._(
                "Assigned to reseller %(partner)s (%(level)s): %(ring)s%(distance)s; weight %(weight)s of "
                "%(total)s among %(count)s eligible reseller(s).",
                partner=partner.display_name,
                level=partner.grade_id.name or "-",
                ring=self._ring_label(reason["ring"], distance),
                distance=(" (%.1f km)" % distance) if distance is not None else "",
                weight=reason["weight"],
                total=reason["total"],
                count=reason["candidates"],
            ))
        if bodies:
            self.browse(list(bodies))._message_log_batch(bodies=bodies)

    def _ring_label(self, ring, distance):
        if ring <= len(ASSIGN_RINGS_KM):
            if distance is None:
                return self.env._("same city") if ring == 1 else self.env._("same state")
            return self.env._("within %(km)s km", km=ASSIGN_RINGS_KM[ring - 1])
        if ring == RING_SAME_COUNTRY:
            return self.env._("same country")
        return self.env._("nearest reseller anywhere")

    def _store_assign_credit(self, credit):
        if not credit:
            return
        self.env.execute_query(SQL(
            """UPDATE res_partner p SET partner_assign_credit = v.credit
                 FROM unnest(%s::int[], %s::float8[]) AS v(id, credit)
                WHERE p.id = v.id""",
            list(credit), list(credit.values()),
        ))
        self.env["res.partner"].invalidate_model(["partner_assign_credit"])

    @api.model
    def _cron_assign_partner(self):
        """Scheduled action: assign the unassigned open leads of the teams that ask for it."""
        teams = self.env["crm.team"].search([("assign_partner_auto", "=", True)])
        if not teams:
            return
        tag = self.env.ref("partner_program.tag_no_partner_available", raise_if_not_found=False)
        domain = [
            ("team_id", "in", teams.ids),
            ("partner_assigned_id", "=", False),
            ("won_status", "=", "pending"),
        ]
        if tag:
            domain.append(("tag_ids", "not in", tag.ids))
        self.search(domain, limit=CRON_BATCH, order="id")._assign_partner_auto()

    def _merge_get_fields(self):
        return super()._merge_get_fields() + [
            "partner_latitude", "partner_longitude", "partner_assigned_id", "date_partner_assign",
        ]

    def _prepare_customer_values(self, partner_name, is_company=False, parent_id=False):
        values = super()._prepare_customer_values(partner_name, is_company=is_company, parent_id=parent_id)
        values.update(partner_latitude=self.partner_latitude, partner_longitude=self.partner_longitude)
        return values

    # ------------------------------------------------------------------ forward to partner
    def _forward_to_partner(self, choices):
        """Assign the leads to the resellers a user chose and mail each reseller the list of its leads.

        All or nothing: a lead without a reseller, or a reseller without an email address, raises a
        UserError before anything is written or sent. Each reseller gets one mail (template
        ``partner_program.mail_template_lead_forward``) listing its leads with links to the portal.

        :param dict choices: {lead_id: partner_id} for every lead of ``self``
        :return: the queued ``mail.mail`` records, one per reseller
        """
        self.check_access("write")
        missing = self.filtered(lambda lead: not choices.get(lead.id))
        if missing:
            raise UserError(self.env._(
                "Choose a reseller for %(names)s, or remove these leads from the list.",
                names=", ".join(missing.mapped("name")),
            ))
        partners = self.env["res.partner"].browse({choices[lead.id] for lead in self})
        no_email = partners.filtered(lambda partner: not partner.email)
        if no_email:
            raise UserError(self.env._(
                "Set an email address on %(names)s first: nothing was forwarded.",
                names=", ".join(no_email.mapped("display_name")),
            ))
        template = self.env.ref("partner_program.mail_template_lead_forward", raise_if_not_found=False)
        if not template:
            raise UserError(self.env._("The email template to forward leads is missing: reinstall Partner Program."))

        # A forward to a new reseller counts as its round-robin turn, as if the automatic assignment
        # had picked it: later automatic runs stay fair.
        moving = self.filtered(lambda lead: lead.partner_assigned_id.id != choices[lead.id])._assign_partner_todo()
        _choices, reasons, credit = moving._assign_partner_choose(
            forced={lead.id: choices[lead.id] for lead in moving})
        self._apply_partner_choices(
            {lead.id: choices[lead.id] for lead in self}, reasons,
            intro=self.env._("Forwarded to the reseller by email. "),
        )
        self._store_assign_credit(credit)

        by_partner = defaultdict(list)
        for lead in self:
            by_partner[choices[lead.id]].append(lead.id)
        mails = self.env["mail.mail"]
        for partner in partners:
            mails |= template.with_context(forwarded_lead_ids=by_partner[partner.id]).send_mail_batch(partner.ids)
        return mails

    def _get_partner_portal_url(self):
        """Absolute link to the lead in the reseller's portal."""
        self.ensure_one()
        return "%s/my/lead/%s" % (self.get_base_url(), self.id)

    # ------------------------------------------------------------------ partner funds
    def _handle_won_lost(self, old_status_by_lead, new_status_by_lead):
        """A lead reaching 'won' credits its reseller's funds (once per lead, see partner.fund)."""
        result = super()._handle_won_lost(old_status_by_lead, new_status_by_lead)
        newly_won = self.filtered(
            lambda lead: new_status_by_lead.get(lead.id, {}).get("is_won")
            and not old_status_by_lead.get(lead.id, {}).get("is_won")
        )
        if newly_won:
            self.env["partner.fund"]._credit_won_leads(newly_won)
            newly_won._referral_won()
        return result

    # ------------------------------------------------------------------ reseller portal
    # Portal users only read their leads (ir.rule); every change goes through one of the methods below, which
    # check the assignment first and then write, as superuser, only the fields they must.

    @api.model
    def _portal_assigned_domain(self):
        """Leads and opportunities assigned to the current user's company or to one of its contacts."""
        return Domain("partner_assigned_id", "child_of", self.env.user.commercial_partner_id.id)

    @api.model
    def _portal_is_reseller(self):
        """The reseller portal (counters, deal registration) is for users of a company with a partner level."""
        return bool(self.env.user.commercial_partner_id.grade_id)

    @api.model
    def _portal_searchbar_sortings(self):
        return {
            "date": {"label": self.env._("Newest"), "order": "create_date desc, id desc"},
            "name": {"label": self.env._("Name"), "order": "name, id"},
            "revenue": {"label": self.env._("Expected Revenue"), "order": "expected_revenue desc, id desc"},
        }

    @api.model
    def _portal_searchbar_filters(self, lead_type):
        """Stage filters of the current user's leads or opportunities (one query), plus won and lost ones."""
        mine = self._portal_assigned_domain() & Domain("type", "=", lead_type)
        filters = {"all": {"label": self.env._("All"), "domain": Domain.TRUE}}
        for stage, count in self._read_group(mine, ["stage_id"], ["__count"], order="stage_id"):
            if stage:
                filters["stage_%s" % stage.id] = {
                    "label": "%s (%s)" % (stage.sudo().name, count), "domain": Domain("stage_id", "=", stage.id)}
        if lead_type == "opportunity":
            filters["won"] = {"label": self.env._("Won"), "domain": Domain("won_status", "=", "won")}
            filters["lost"] = {"label": self.env._("Lost"),
                               "domain": Domain("active", "=", False) & Domain("won_status", "=", "lost")}
        return filters

    @api.model
    def _portal_searchbar_periods(self):
        return {
            "all": {"label": self.env._("Any time"), "days": 0},
            "week": {"label": self.env._("Last 7 days"), "days": 7},
            "month": {"label": self.env._("Last 30 days"), "days": 30},
            "quarter": {"label": self.env._("Last 90 days"), "days": 90},
            "year": {"label": self.env._("Last 365 days"), "days": 365},
        }

    @api.model
    def _portal_list_domain(self, lead_type, filterby="all", period="all", search=None, filters=None):
        """Domain of a portal list: the user's leads or opportunities, narrowed by filter, period and search.

        Unknown filter or period keys fall back to "all"; ``filters`` saves recomputing
        ``_portal_searchbar_filters(lead_type)`` when the caller has it.
        """
        domain = self._portal_assigned_domain() & Domain("type", "=", lead_type)
        filters = filters or self._portal_searchbar_filters(lead_type)
        domain &= filters.get(filterby, filters["all"])["domain"]
        days = self._portal_searchbar_periods().get(period, {}).get("days")
        if days:
            domain &= Domain("create_date", ">=", fields.Datetime.now() - timedelta(days=days))
        if search:
            domain &= Domain.OR(Domain(field, "ilike", search)
                                for field in ("name", "partner_name", "contact_name", "email_from", "city"))
        return domain

    @api.model
    def _portal_counts(self):
        """{'lead': n, 'opportunity': n}: the current user's open leads and opportunities, in one query."""
        counts = dict(self._read_group(self._portal_assigned_domain(), ["type"], ["__count"]))
        return {"lead": counts.get("lead", 0), "opportunity": counts.get("opportunity", 0)}

    def _check_portal_access(self):
        """Raise AccessError unless every record is assigned to the current user's company.

        The message is the same for a missing record and another reseller's one: it reveals nothing.
        """
        records = self.sudo().exists()
        if not self or records != self.sudo() or records.filtered_domain(self._portal_assigned_domain()) != records:
            raise AccessError(self.env._("This lead is not available to you."))

    def _lock_portal_answer(self):
        """Lock the leads waiting for the current user's answer, or raise a clear UserError.

        Two resellers (or two users of one reseller) may answer the same lead at once: the first one locks the
        row, the other one is told the lead has just been answered instead of answering it twice.
        """
        partners = self.env["res.partner"].sudo().search(
            [("id", "child_of", self.env.user.commercial_partner_id.id)])
        self.env["crm.lead"].flush_model(["type", "active", "partner_assigned_id"])
        query = SQL(
            """SELECT id FROM crm_lead
                WHERE id = ANY(%s) AND type = 'lead' AND active AND partner_assigned_id = ANY(%s)
                  FOR UPDATE NOWAIT""",
            self.ids, partners.ids,
        )
        busy = self.env._(
            "Another answer to this lead was recorded at the same moment. Reload the page to see where it stands.")
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
                locked = {row[0] for row in self.env.cr.fetchall()}
        except (pg_errors.LockNotAvailable, pg_errors.SerializationFailure):
            raise UserError(busy) from None
        if locked != set(self.ids):
            raise UserError(busy)

    @api.model
    def _portal_activity_types(self):
        """Activity types a reseller may plan (the reseller cannot read them itself)."""
        return self.env["mail.activity.type"].sudo().search(
            [("res_model", "in", [False, "crm.lead"])], order="sequence, id")

    def _portal_stages(self):
        """Stages a reseller may move this opportunity to: its team's (or shared) stages, except won ones."""
        self.ensure_one()
        domain = Domain("is_won", "=", False) & (
            Domain("team_ids", "=", False) | Domain("team_ids", "in", self.sudo().team_id.ids))
        return self.env["crm.stage"].sudo().search(domain, order="sequence, id")

    def _portal_user_activity(self):
        """The current portal user's own next activity on this record (activities are not readable by portal)."""
        self.ensure_one()
        return self.sudo().activity_ids.filtered(lambda activity: activity.user_id == self.env.user)[:1]

    def _portal_parse_activity(self, values, errors, required):
        """Read (activity type, date, summary) from a portal form; record what is wrong in ``errors``."""
        activity_type = self._portal_activity_types().filtered(
            lambda act_type: act_type.id == _form_int(values, "activity_type_id"))
        summary = _form_text(values, "activity_summary")
        try:
            deadline = _form_date(values, "activity_date_deadline")
        except ValueError:
            deadline = None
            errors["activity_date_deadline"] = self.env._("The date of the next activity is not a valid date.")
        if not required and not deadline and "activity_date_deadline" not in errors:
            return None
        if not activity_type:
            errors["activity_type_id"] = self.env._("Choose the type of the next activity.")
        if not deadline and "activity_date_deadline" not in errors:
            errors["activity_date_deadline"] = self.env._("Give the date of the next activity.")
        elif deadline and deadline < fields.Date.context_today(self):
            errors["activity_date_deadline"] = self.env._("The next activity cannot be planned in the past.")
        if required and not summary:
            errors["activity_summary"] = self.env._("Say what the next activity is about.")
        return activity_type, deadline, summary

    def _portal_parse_amount(self, values, key, errors, label, required=False, maximum=None):
        try:
            amount = _form_float(values, key)
        except (TypeError, ValueError):
            errors[key] = self.env._("%(field)s must be a number.", field=label)
            return None
        if amount is None:
            if required:
                errors[key] = self.env._("%(field)s is required.", field=label)
            return None
        if amount < 0 or (maximum is not None and amount > maximum):
            errors[key] = (self.env._("%(field)s must be between 0 and %(max)s.", field=label, max=maximum)
                           if maximum is not None else self.env._("%(field)s cannot be negative.", field=label))
            return None
        if required and not amount:
            errors[key] = self.env._("%(field)s is required.", field=label)
            return None
        return amount

    def partner_interested(self, values):
        """The current reseller accepts these leads ("I'm interested").

        ``values`` (a portal form): ``activity_type_id``, ``activity_date_deadline``, ``activity_summary`` (the
        next planned activity), ``expected_revenue`` and ``contacted`` (the customer was contacted), all required.
        A missing or wrong value raises PortalFormError and nothing changes. Otherwise each lead becomes an
        opportunity assigned to the reseller's company, the feedback is posted in the chatter and the activity is
        scheduled for the current user.
        """
        self._check_portal_access()
        if any(lead.type != "lead" for lead in self.sudo()):
            raise UserError(self.env._("This lead has already been accepted: it is now an opportunity."))
        errors = {}
        activity_type, deadline, summary = self._portal_parse_activity(values, errors, required=True)
        revenue = self._portal_parse_amount(values, "expected_revenue", errors, self.env._("Expected revenue"),
                                            required=True)
        if not _form_bool(values, "contacted"):
            errors["contacted"] = self.env._("Confirm that you have contacted the customer.")
        if errors:
            raise PortalFormError(errors)
        self._lock_portal_answer()

        user, company = self.env.user, self.env.user.commercial_partner_id
        leads = self.sudo()
        for lead in leads:
            lead.convert_opportunity(lead.partner_id)
        # The reseller now follows its opportunity: the salesperson's answers reach it.
        leads.message_subscribe(partner_ids=user.partner_id.ids)
        update = {"expected_revenue": revenue, "date_partner_accept": fields.Datetime.now()}
        leads.filtered(lambda lead: lead.partner_assigned_id == company).write(update)
        # Accepted by a contact of the reseller: the opportunity belongs to the reseller's company.
        leads.filtered(lambda lead: lead.partner_assigned_id != company).write(
            dict(update, partner_assigned_id=company.id))
        for lead in leads:
            lead.message_post(
                body=Markup("<p>%s</p><ul><li>%s</li><li>%s</li><li>%s</li></ul>") % (
                    self.env._("I am interested in this lead."),
                    self.env._("Next activity: %(type)s on %(date)s: %(summary)s", type=activity_type.name,
                               date=format_date(self.env, deadline), summary=summary),
                    self.env._("Expected revenue: %(amount)s",
                               amount=format_amount(self.env, revenue, lead.company_currency)),
                    self.env._("I have contacted the customer."),
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            lead.with_context(mail_activity_quick_update=True).activity_schedule(
                activity_type_id=activity_type.id, date_deadline=deadline, summary=summary, user_id=user.id)
        return True

    def partner_desinterested(self, values=None):
        """The current reseller declines these leads ("I'm not interested").

        ``values`` (a portal form, all optional): ``comment`` (the reason), ``contacted`` and ``spam``. The
        assignment is removed, the reseller's company joins the declined partners (never proposed again), its
        users stop following, the feedback goes to the salesperson as an internal note (later resellers do not
        see it), spam is tagged; then, if the company re-assigns declined leads, each one not marked as spam
        goes to the next eligible reseller.
        """
        values = values or {}
        self._check_portal_access()
        if any(lead.type != "lead" for lead in self.sudo()):
            raise UserError(self.env._("You already accepted this lead: it is now an opportunity."))
        comment, contacted, spam = (
            _form_text(values, "comment"), _form_bool(values, "contacted"), _form_bool(values, "spam"))
        self._lock_portal_answer()

        company = self.env.user.commercial_partner_id
        leads = self.sudo()
        reseller_partners = leads.env["res.partner"].search([("id", "child_of", company.id)])
        lines = [
            self.env._("I am not interested in this lead."),
            self.env._("I have contacted the customer.") if contacted else self.env._(
                "I have not contacted the customer."),
        ]
        if spam:
            lines.append(self.env._("This lead is spam."))
        body = Markup("<p>%s</p><ul>%s</ul>") % (
            lines[0], Markup().join(Markup("<li>%s</li>") % line for line in lines[1:]))
        if comment:
            body += plaintext2html(comment)
        for lead in leads:
            # An internal note: the next reseller of this lead must not read this one's feedback.
            lead.with_context(mail_post_autofollow_author_skip=True).message_post(
                body=body, message_type="comment", subtype_xmlid="mail.mt_note", is_internal=True,
                partner_ids=lead.user_id.partner_id.ids,
            )
        leads.message_unsubscribe(partner_ids=reseller_partners.ids)
        declined = company | leads.partner_assigned_id
        update = {
            "partner_assigned_id": False,
            "partner_declined_ids": [Command.link(partner.id) for partner in declined],
            "date_partner_decline": fields.Datetime.now(),
        }
        spam_tag = self.env.ref("partner_program.tag_portal_lead_is_spam", raise_if_not_found=False)
        if spam and spam_tag:
            update["tag_ids"] = [Command.link(spam_tag.id)]
        leads.write(update)
        if not spam:
            leads.filtered(lambda lead: (lead.company_id or self.env.company).partner_reassign_auto
                           )._assign_partner_auto()
        return True

    def update_lead_portal(self, values):
        """The current reseller updates its opportunity from the portal.

        ``values`` (a portal form): ``stage_id`` (one of ``_portal_stages()``), ``priority``, ``expected_revenue``,
        ``probability`` (0-100), ``date_deadline`` and the next activity (``activity_type_id``,
        ``activity_date_deadline``, ``activity_summary``; the user's own activity is updated or created). Only
        changed fields are written; a wrong value raises PortalFormError and nothing changes.
        """
        self.ensure_one()
        self._check_portal_access()
        lead = self.sudo()
        if lead.type != "opportunity" or not lead.active or lead.won_status != "pending":
            raise UserError(self.env._("Only open opportunities can be updated."))
        errors, update = {}, {}
        stage_id = _form_int(values, "stage_id")
        if stage_id is not None:
            if stage_id not in self._portal_stages().ids:
                errors["stage_id"] = self.env._("Choose one of the stages of this opportunity's sales team.")
            elif stage_id != lead.stage_id.id:
                update["stage_id"] = stage_id
        priority = _form_text(values, "priority")
        if priority:
            if priority not in dict(self._fields["priority"].selection):
                errors["priority"] = self.env._("Choose a priority between 0 and 3 stars.")
            elif priority != lead.priority:
                update["priority"] = priority
        revenue = self._portal_parse_amount(values, "expected_revenue", errors, self.env._("Expected revenue"))
        if revenue is not None and revenue != lead.expected_revenue:
            update["expected_revenue"] = revenue
        probability = self._portal_parse_amount(values, "probability", errors, self.env._("Probability"),
                                                maximum=100)
        if probability is not None and round(probability, 2) != round(lead.probability, 2):
            update["probability"] = probability
        if "date_deadline" in values:
            try:
                date_deadline = _form_date(values, "date_deadline") or False
            except ValueError:
                errors["date_deadline"] = self.env._("The expected closing is not a valid date.")
            else:
                if date_deadline != lead.date_deadline:
                    update["date_deadline"] = date_deadline
        activity = self._portal_parse_activity(values, errors, required=False)
        if errors:
            raise PortalFormError(errors)
        if update:
            lead.write(update)
        if activity:
            activity_type, deadline, summary = activity
            user_activity = self._portal_user_activity()
            activity_values = {"activity_type_id": activity_type.id, "date_deadline": deadline, "summary": summary}
            if user_activity:
                user_activity.write(activity_values)
            else:
                lead.with_context(mail_activity_quick_update=True).activity_schedule(
                    user_id=self.env.user.id, **activity_values)
        return True

    def update_contact_details_portal(self, values):
        """The current reseller corrects the customer's contact on its opportunity.

        Only the name, email, phone and address (``PORTAL_CONTACT_FIELDS``) may be given: any other key raises
        UserError, a wrong value raises PortalFormError, and nothing changes. The linked customer record
        (``partner_id``) is left alone: the salesperson decides whether to copy the new details onto it.
        """
        self.ensure_one()
        self._check_portal_access()
        forbidden = sorted(set(values) - set(PORTAL_CONTACT_FIELDS))
        if forbidden:
            raise UserError(self.env._(
                "Only the customer's name, email, phone and address can be changed here, not: %(fields)s.",
                fields=", ".join(forbidden)))
        lead = self.sudo()
        if lead.type != "opportunity":
            raise UserError(self.env._("Accept this lead before updating its contact details."))
        errors, update = {}, {}
        for key in ("partner_name", "contact_name", "phone", "street", "street2", "city", "zip"):
            if key in values:
                update[key] = _form_text(values, key) or False
        if "email_from" in values:
            email = _form_text(values, "email_from")
            if email and not email_normalize(email):
                errors["email_from"] = self.env._("This is not a valid email address.")
            update["email_from"] = email or False
        country = lead.country_id
        if "country_id" in values:
            country = self.env["res.country"].sudo().browse(_form_int(values, "country_id") or ()).exists()
            if _form_int(values, "country_id") and not country:
                errors["country_id"] = self.env._("Choose a country from the list.")
            update["country_id"] = country.id
        if "state_id" in values:
            state = self.env["res.country.state"].sudo().browse(_form_int(values, "state_id") or ()).exists()
            if _form_int(values, "state_id") and (not state or state.country_id != country):
                errors["state_id"] = self.env._("Choose a state of the selected country.")
            update["state_id"] = state.id
        if not (update.get("partner_name", lead.partner_name) or update.get("contact_name", lead.contact_name)):
            errors["partner_name"] = self.env._("Give the customer's name or the contact's name.")
        if errors:
            raise PortalFormError(errors)
        lead.with_context(partner_program_portal_contact=True).write(
            {key: value for key, value in update.items() if value != (lead[key].id if key.endswith("_id")
                                                                       else lead[key])})
        return True

    def _get_partner_email_update(self, force_void=True):
        # A reseller's correction stays on the opportunity; the customer record is the salesperson's.
        if self.env.context.get("partner_program_portal_contact"):
            return False
        return super()._get_partner_email_update(force_void=force_void)

    def _get_partner_phone_update(self, force_void=True):
        if self.env.context.get("partner_program_portal_contact"):
            return False
        return super()._get_partner_phone_update(force_void=force_void)

    @api.model
    def create_opportunity_portal(self, values):
        """Deal registration: the current reseller registers an opportunity it found itself.

        ``values`` (a portal form): ``partner_name`` (customer), ``contact_name``, ``email_from``, ``name`` (title)
        are required; ``description``, ``expected_revenue``, ``date_deadline`` are optional. The opportunity is
        assigned to the reseller's company, tagged "Registered by partner", and its salesperson is the company's.
        When another reseller already holds an open lead or opportunity for the same customer (same email or
        company name), the registration is recorded anyway and flagged as a conflict for the salesperson; the
        reseller is told nothing about the other one.

        :return: the new opportunity (in the caller's environment)
        """
        if not self._portal_is_reseller():
            raise AccessError(self.env._("Only resellers with a partner level can register deals."))
        company = self.env.user.commercial_partner_id
        errors = {}
        required = {
            "partner_name": self.env._("Give the customer's name."),
            "contact_name": self.env._("Give the name of your contact at the customer."),
            "email_from": self.env._("Give the contact's email."),
            "name": self.env._("Give this opportunity a title."),
        }
        texts = {key: _form_text(values, key) for key in (*required, "description")}
        for key, message in required.items():
            if not texts[key]:
                errors[key] = message
        email = email_normalize(texts["email_from"]) if texts["email_from"] else False
        if texts["email_from"] and not email:
            errors["email_from"] = self.env._("This is not a valid email address.")
        revenue = self._portal_parse_amount(values, "expected_revenue", errors, self.env._("Expected revenue"))
        try:
            date_deadline = _form_date(values, "date_deadline")
        except ValueError:
            date_deadline = None
            errors["date_deadline"] = self.env._("The expected closing is not a valid date.")
        if errors:
            raise PortalFormError(errors)

        Lead = self.sudo()
        conflicts = Lead._portal_registration_conflicts(email, texts["partner_name"], company)
        tags = self.env.ref("partner_program.tag_registered_by_partner")
        if conflicts:
            tags |= self.env.ref("partner_program.tag_registration_conflict")
        salesperson = company.user_id if company.user_id and not company.user_id.share else self.env["res.users"]
        lead = Lead.create({
            "type": "opportunity",
            "name": texts["name"],
            "partner_name": texts["partner_name"],
            "contact_name": texts["contact_name"],
            "email_from": texts["email_from"],
            "description": plaintext2html(texts["description"]) if texts["description"] else False,
            "expected_revenue": revenue or 0.0,
            "date_deadline": date_deadline or False,
            "partner_assigned_id": company.id,
            "user_id": salesperson.id,
            "tag_ids": [Command.set(tags.ids)],
            "partner_conflict_ids": [Command.set(conflicts.ids)],
        })
        lead.message_subscribe(partner_ids=self.env.user.partner_id.ids)
        if conflicts:
            lead._message_log(body=Markup("<p>%s</p><ul>%s</ul>") % (
                self.env._("Registration conflict: other resellers already work on this customer. Decide who "
                           "keeps the deal."),
                Markup().join(Markup("<li>%s</li>") % conflict._get_html_link(
                    title="%s (%s)" % (conflict.name, conflict.partner_assigned_id.display_name))
                    for conflict in conflicts),
            ))
            if salesperson:
                lead.activity_schedule(
                    "mail.mail_activity_data_todo", user_id=salesperson.id,
                    summary=self.env._("Deal registration conflict"),
                    note=self.env._("Another reseller already works on this customer."))
        return lead.with_env(self.env)

    def _portal_registration_conflicts(self, email, customer_name, company):
        """Open leads and opportunities for the same customer (email or company name) held by another reseller."""
        if not (email or customer_name):
            return self.browse()
        same_customer = Domain.FALSE
        if email:
            same_customer |= Domain("email_normalized", "=", email)
        if customer_name:
            same_customer |= Domain("partner_name", "=ilike", customer_name)
        own = self.env["res.partner"].with_context(active_test=False).search([("id", "child_of", company.id)])
        return self.search(
            same_customer
            & Domain("won_status", "=", "pending")
            & Domain("partner_assigned_id", "!=", False)
            & Domain("partner_assigned_id", "not in", own.ids)
        )

    def _mail_get_operation_for_mail_message_operation(self, message_operation):
        # Resellers post in the chatter of their leads with read access only: they never get write access.
        result = super()._mail_get_operation_for_mail_message_operation(message_operation)
        if message_operation == "create" and self.env.user._is_portal():
            result.update(dict.fromkeys(self.filtered_domain(self._portal_assigned_domain()), "read"))
        return result

    def _get_access_action(self, access_uid=None, force_website=False):
        # A reseller following a link to its lead (notification mail) lands on the portal page.
        self.ensure_one()
        user = self.env["res.users"].sudo().browse(access_uid) if access_uid else self.env.user
        if user.share or force_website:
            mine = self.with_user(user).sudo().filtered_domain(
                Domain("partner_assigned_id", "child_of", user.commercial_partner_id.id))
            if mine:
                return {
                    "type": "ir.actions.act_url",
                    "url": "/my/%s/%s" % ("lead" if self.type == "lead" else "opportunity", self.id),
                    "target": "self",
                    "res_id": self.id,
                }
        return super()._get_access_action(access_uid=access_uid, force_website=force_website)

    # ------------------------------------------------------------------ time to answer
    @api.model
    def _cron_partner_answer_deadline(self):
        """Scheduled action: remind resellers at half of their time to answer, take back the leads they let
        expire (the reseller joins the declined partners) and assign those to the next eligible reseller."""
        now = fields.Datetime.now()
        waiting = Domain("type", "=", "lead") & Domain("partner_assigned_id", "!=", False)
        to_remind = self.search(waiting & Domain("date_partner_answer_remind", "<=", now)
                                & Domain("date_partner_answer_due", ">", now), limit=CRON_BATCH)
        if to_remind:
            template = self.env.ref("partner_program.mail_template_partner_answer_reminder",
                                    raise_if_not_found=False)
            if template:
                template.send_mail_batch(to_remind.ids)
            to_remind.write({"date_partner_answer_remind": False})
        expired = self.search(waiting & Domain("date_partner_answer_due", "<=", now), limit=CRON_BATCH)
        if expired:
            expired._partner_answer_expire()
        return {"reminded": to_remind, "expired": expired}

    def _partner_answer_expire(self):
        """Take the leads back from resellers that did not answer in time, then re-assign them."""
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
        self._message_log_batch(bodies=bodies)
        return self._assign_partner_auto()

    # ------------------------------------------------------------------ growth: referrals, submissions, offers
    @api.model
    def _referral_from_request(self):
        """The referral link of the visitor's attribution cookie, for leads sent from the website.

        None outside website requests, without a cookie, for a link that no longer works, and for visitors
        who are partners or employees themselves (a reseller's own deal registration is no referral).
        """
        if not request or not getattr(request, "is_frontend", False):
            return None
        code = request.cookies.get(REFERRAL_COOKIE)
        if not code:
            return None
        link = self.env["partner.referral.link"]._from_cookie(code)
        if not link:
            return None
        user = request.env.user
        if not user._is_public():
            visitor = user.sudo().commercial_partner_id
            if user._is_internal() or visitor == link.partner_id or visitor.partner_group_id or visitor.grade_id:
                return None
        return link

    @api.model
    def _referral_apply(self, vals, link):
        """Attribute the lead being created to ``link``'s partner, and assign it per the group's rule."""
        if vals.get("referral_partner_id") or vals.get("partner_submitted"):
            return
        group = link.group_id
        vals.update(referral_partner_id=link.partner_id.id, referral_link_id=link.id, referral_group_id=group.id)
        for field, record in (("source_id", group.utm_source_id), ("medium_id", group.utm_medium_id),
                              ("campaign_id", group.utm_campaign_id)):
            if record and not vals.get(field):
                vals[field] = record.id
        if group.referral_assignment == "referrer" and not vals.get("partner_assigned_id"):
            vals["partner_assigned_id"] = link.partner_id.id

    def _referral_after_create(self):
        """New leads brought by partners: automatic assignment when their group says so, then the offers."""
        referred = self.filtered("referral_group_id")
        if not referred:
            return
        referred._referral_assign_auto()
        Reward = self.env["partner.reward"]
        Reward._grant(referred, "lead_submitted")
        Reward._grant(referred, "referral_signup")

    def _referral_assign_auto(self):
        """Groups with automatic assignment: the nearest fair reseller, chosen without calling the geocoder
        (the visitor waits for the page); leads without a country wait for the salesperson or the cron."""
        todo = self.filtered(
            lambda lead: lead.referral_group_id.referral_assignment == "auto" and not lead.partner_assigned_id
            and not lead.partner_submitted and lead.country_id
        )._assign_partner_todo()
        if not todo:
            return
        todo = todo.sudo()
        choices, reasons, credit = todo._assign_partner_choose()
        todo._apply_partner_choices(choices, reasons)
        todo._store_assign_credit(credit)

    def _referral_watch_qualification(self, vals):
        """Before a write that may qualify partner leads: {lead id: type before the write}."""
        if not {"type", "stage_id"} & set(vals):
            return {}
        return {lead.id: lead.type for lead in self if lead.referral_group_id and not lead.date_partner_qualified}

    def _referral_check_qualified(self, old_types):
        """After the write: a partner lead is qualified once converted to an opportunity, or, for an
        opportunity, once it leaves the first stage of its team's pipeline."""
        leads = self.filtered(lambda lead: lead.id in old_types and not lead.date_partner_qualified)
        if not leads:
            return
        stages = self.env["crm.stage"].sudo().search(
            ["|", ("team_ids", "=", False), ("team_ids", "in", leads.team_id.ids)])
        first = {}
        for team in leads.team_id | self.env["crm.team"]:
            team_stages = stages.filtered(lambda stage, team=team: not stage.team_ids or team in stage.team_ids)
            first[team.id] = min(team_stages.mapped("sequence"), default=0)
        qualified = leads.filtered(lambda lead: lead.type == "opportunity" and (
            old_types[lead.id] == "lead" or lead.stage_id.sequence > first.get(lead.team_id.id, 0)))
        qualified._referral_qualify()

    def _referral_qualify(self):
        leads = self.filtered(lambda lead: lead.referral_group_id and not lead.date_partner_qualified)
        if not leads:
            return
        leads.sudo().write({"date_partner_qualified": fields.Datetime.now()})
        self.env["partner.reward"]._grant(leads, "lead_qualified")

    def _referral_won(self):
        """Won partner leads: qualified too (if not yet), and the 'opportunity won' offers."""
        leads = self.filtered("referral_group_id")
        if not leads:
            return
        leads._referral_qualify()
        self.env["partner.reward"]._grant(leads, "opportunity_won")

    # ------------------------------------------------------------------ growth: portal lead submission
    @api.model
    def _portal_submission_group(self):
        """The group of the current user's company when it lets its partners submit leads (sudo), else empty."""
        group = self.env.user.commercial_partner_id.sudo().partner_group_id
        return group if group and group.active and group.allow_lead_submission else group.browse()

    @api.model
    def submit_lead_portal(self, values):
        """"Submit a lead" from the portal: a lead for our sales team, brought by the current user's company.

        ``values`` (a portal form): ``email_from`` and the customer (``partner_name`` or ``contact_name``) are
        required; ``phone``, ``name`` (title), ``description`` and the group's questions (``question_<id>``)
        optional. The lead is flagged partner-submitted, attributed to the company (``referral_partner_id``)
        and its group, tagged "Submitted by partner"; the group's "lead submitted" offers fire now, the
        "qualified" and "won" ones later. Another company can never be named: attribution is the user's own.

        :raise AccessError: the user's company is in no group allowing lead submission
        :raise PortalFormError: a message per faulty field; nothing is created
        :return: the new lead (sudo: the partner does not read it, our sales team works it)
        """
        group = self._portal_submission_group()
        if not group:
            raise AccessError(self.env._("Your partner group does not take lead submissions."))
        company = self.env.user.commercial_partner_id
        errors = {}
        texts = {key: _form_text(values, key)
                 for key in ("partner_name", "contact_name", "email_from", "phone", "name", "description")}
        limits = {"partner_name": 128, "contact_name": 128, "email_from": 254, "phone": 64, "name": 128,
                  "description": 10000}
        if not (texts["partner_name"] or texts["contact_name"]):
            errors["partner_name"] = self.env._("Give the customer's company or the contact's name.")
        email = email_normalize(texts["email_from"]) if texts["email_from"] else False
        if not texts["email_from"]:
            errors["email_from"] = self.env._("Give the contact's email.")
        elif not email:
            errors["email_from"] = self.env._("This is not a valid email address.")
        for key, limit in limits.items():
            if len(texts[key]) > limit:
                errors[key] = self.env._("This is too long.")
        answers = group.lead_question_ids._parse_answers(values, errors)
        if errors:
            raise PortalFormError(errors)

        description = plaintext2html(texts["description"]) if texts["description"] else Markup()
        if answers:
            description += Markup("<ul>%s</ul>") % Markup().join(
                Markup("<li><b>%s</b>: %s</li>") % (question.name, text) for question, text in answers)
        use_leads = self.env.ref("crm.group_use_lead") in self.env.ref("base.group_user").sudo().all_implied_ids
        customer = texts["partner_name"] or texts["contact_name"]
        lead = self.sudo().create({
            "type": "lead" if use_leads else "opportunity",
            "name": texts["name"] or self.env._("%(customer)s, from %(partner)s", customer=customer,
                                                 partner=company.name),
            "partner_name": texts["partner_name"],
            "contact_name": texts["contact_name"],
            "email_from": email,
            "phone": texts["phone"],
            "description": description or False,
            "referral_partner_id": company.id,
            "referral_group_id": group.id,
            "partner_submitted": True,
            "user_id": group.user_id.id if group.user_id and not group.user_id.share else False,
            "tag_ids": [Command.link(self.env.ref("partner_program.tag_submitted_by_partner").id)],
            "source_id": group.utm_source_id.id,
            "medium_id": group.utm_medium_id.id,
            "campaign_id": group.utm_campaign_id.id,
        })
        lead._message_log(body=Markup("<p>%s</p>") % self.env._(
            "Submitted from the partner portal by %(user)s (%(company)s).",
            user=self.env.user.name, company=company.name))
        return lead

    @api.model
    def _portal_submitted_leads(self, limit=50):
        """The leads the current user's company submitted, for its portal: name, date and where they stand.

        Read as superuser and reduced to those three facts: the partner does not read the leads themselves.
        """
        company = self.env.user.commercial_partner_id
        leads = self.sudo().with_context(active_test=False).search(
            [("referral_partner_id", "=", company.id), ("partner_submitted", "=", True)],
            order="create_date desc, id desc", limit=limit)
        result = []
        for lead in leads:
            if lead.won_status == "won":
                status = self.env._("Won")
            elif lead.won_status == "lost":
                status = self.env._("Closed")
            elif lead.date_partner_qualified:
                status = self.env._("Qualified")
            else:
                status = self.env._("Submitted")
            result.append({"name": lead.name, "date": lead.create_date, "status": status,
                           "won_status": lead.won_status, "qualified": bool(lead.date_partner_qualified)})
        return result

"""crm.lead: the reseller portal (lists, answers, opportunity and contact updates, chatter access)."""
import ast
from datetime import datetime, timedelta

import babel.dates
from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.addons.base.models.res_lang import intersperse
from odoo.exceptions import AccessError, ConcurrencyError, UserError
from odoo.fields import Command, Domain
from odoo.tools import SQL, float_round, format_amount, format_date, plaintext2html
from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml

from ..forms.form import translate
from ..forms.reseller_portal import (
    CONTACT_DETAILS_FORM,
    INTERESTED_FORM,
    NOT_INTERESTED_FORM,
    OPPORTUNITY_UPDATE_FORM,
)

# Key of the transaction locks by which portal answers announce themselves (with the lead's id).
PORTAL_ANSWER_LOCK = 7201
# How long an answer waits for a row something else (a scheduled job) holds.
PORTAL_ANSWER_WAIT = "3s"

class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

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

    # The portal's lists (see _portal_list_page): a reseller's stage counts and a page's ids in the default order
    # are read from this index alone, instead of from every row of its thousands of leads. Only assigned leads:
    # the others (most of a database's leads) are in no portal list, and each of their writes would update it.
    _portal_list_idx = models.Index(
        "(partner_assigned_id, type, create_date DESC, id DESC) INCLUDE (stage_id, company_id) "
        "WHERE active IS TRUE AND partner_assigned_id IS NOT NULL"
    )

    @api.depends("partner_assigned_id")
    def _compute_date_partner_accept(self):
        self.date_partner_accept = False


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
    def _portal_searchbar_filters(self, lead_type, mine=None, stage_counts=None):
        """Stage filters of the current user's leads or opportunities (one query), plus won and lost ones.

        ``mine``: the domain of those leads, ``stage_counts``: their number per stage (``_portal_stage_counts``),
        when the caller has them (see ``_portal_list_page``).
        """
        if stage_counts is None:
            mine = mine if mine is not None else self._portal_assigned_domain() & Domain("type", "=", lead_type)
            stage_counts = self._portal_stage_counts(mine)
        filters = {"all": {"label": self.env._("All"), "domain": Domain.TRUE}}
        for stage, count in stage_counts.items():
            if stage:
                filters["stage_%s" % stage.id] = {
                    "label": "%s (%s)" % (stage.sudo().name, count), "domain": Domain("stage_id", "=", stage.id)}
        if lead_type == "opportunity":
            filters["won"] = {"label": self.env._("Won"), "domain": Domain("won_status", "=", "won")}
            filters["lost"] = {"label": self.env._("Lost"),
                               "domain": Domain("active", "=", False) & Domain("won_status", "=", "lost")}
        return filters

    @api.model
    def _portal_stage_counts(self, domain):
        """{stage: number of leads} of the leads matching ``domain``, in the stages' order (an empty stage for
        leads without one)."""
        return dict(self._read_group(domain, ["stage_id"], ["__count"], order="stage_id"))

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
    def _portal_list_domain(self, lead_type, filterby="all", period="all", search=None, filters=None, mine=None):
        """Domain of a portal list: the user's leads or opportunities, narrowed by filter, period and search.

        Unknown filter or period keys fall back to "all"; ``filters`` and ``mine`` (the domain of the user's
        leads of this type) save recomputing them when the caller has them.
        """
        domain = mine if mine is not None else self._portal_assigned_domain() & Domain("type", "=", lead_type)
        filters = filters or self._portal_searchbar_filters(lead_type, mine=domain)
        domain &= filters.get(filterby, filters["all"])["domain"]
        days = self._portal_searchbar_periods().get(period, {}).get("days")
        if days:
            domain &= Domain("create_date", ">=", fields.Datetime.now() - timedelta(days=days))
        if search:
            domain &= Domain.OR(Domain(field, "ilike", search)
                                for field in ("name", "partner_name", "contact_name", "email_from", "city"))
        return domain

    @api.model
    def _portal_list_page(self, lead_type, page=1, step=80, sortby=None, filterby=None, period=None, search=None):
        """What /my/leads or /my/opportunities shows, in the same few queries whatever the number of leads.

        Unknown sort, filter or period keys fall back to the defaults. The current user's read rules on crm.lead
        are resolved once (their ``child_of`` costs a query per level of the company's contacts, at every search
        otherwise) and the count, the stage counts and the page's rows are then searched as superuser inside
        them. The rows are plain values, their dates and amounts formatted once per page in the user's language
        and time zone (the same text as the ``date`` and monetary widgets, at a fraction of the cost per row).

        Returns a dict: ``sortings``, ``filters``, ``periods`` (the search bar's options), the keys in use
        (``sortby``, ``filterby``, ``period``), ``total``, ``page``, ``offset`` and ``rows``.
        """
        self.check_access("read")
        sortings = self._portal_searchbar_sortings()
        periods = self._portal_searchbar_periods()
        sortby = sortby if sortby in sortings else "date"
        period = period if period in periods else "all"
        rules = self.env["ir.rule"]._compute_domain(self._name, "read")
        mine = (self._portal_assigned_domain() & rules & Domain("type", "=", lead_type)).optimize_full(self)
        leads = self.sudo()
        stage_counts = leads._portal_stage_counts(mine)
        filters = leads._portal_searchbar_filters(lead_type, stage_counts=stage_counts)
        filterby = filterby if filterby in filters else "all"
        domain = leads._portal_list_domain(lead_type, filterby, period, search, filters=filters, mine=mine)
        if search or period != "all" or not (filterby == "all" or filterby.startswith("stage_")):
            total = leads.search_count(domain)
        elif filterby == "all":
            total = sum(stage_counts.values())  # all of them, or one stage's: already counted per stage
        else:
            total = next(count for stage, count in stage_counts.items() if "stage_%s" % stage.id == filterby)
        page_count = -(-total // step)  # the pager's arithmetic: a page number past the end shows the last page
        page = max(1, min(int(page) if str(page).isdigit() else 1, page_count))
        offset = (page - 1) * step
        names = ["id", "create_date", "name", "partner_name", "contact_name", "city", "expected_revenue",
                 "company_id"]
        names += ["date_partner_answer_due"] if lead_type == "lead" else [
            "probability", "date_deadline", "won_status", "stage_id"]
        # The page's rows straight as values: no records, no cache, only the columns shown. The page's ids first
        # (from _portal_list_idx in the default order), then their columns: 80 rows read, not all of them.
        order = sortings[sortby]["order"]
        page_ids = leads._search(domain, offset=offset, limit=step, order=order)
        query = leads._search(Domain("id", "in", page_ids), order=order)
        values = self.env.execute_query(query.select(*(leads._field_to_sql(query.table, name, query)
                                                       for name in names)))
        return {
            "sortings": sortings, "filters": filters, "periods": periods,
            "sortby": sortby, "filterby": filterby, "period": period,
            "total": total, "page": page, "offset": offset,
            "rows": self._portal_list_rows(lead_type, [dict(zip(names, row, strict=True)) for row in values]),
        }

    @api.model
    def _portal_list_rows(self, lead_type, values):
        """The portal list's rows from the leads' column ``values`` (dicts): plain values, dates (in the user's
        time zone) and amounts as text."""
        format_date, format_amount = self._portal_list_formatters()
        companies = self.env["res.company"].sudo().browse(
            {lead["company_id"] for lead in values} - {None} | {self.env.company.id})
        companies.currency_id.fetch(["symbol", "position", "decimal_places", "rounding"])  # only what is shown
        currencies = {company.id: company.currency_id for company in companies}
        currencies[None] = currencies[self.env.company.id]
        stages = self.env["crm.stage"].sudo().browse(
            {lead["stage_id"] for lead in values if lead.get("stage_id")})
        stage_names = {stage.id: stage.name for stage in stages}
        rows = []
        for lead in values:
            row = {
                "id": lead["id"],
                "date": format_date(lead["create_date"]),
                "name": lead["name"],
                "customer": lead["partner_name"] or lead["contact_name"],
                "contact": lead["contact_name"] if lead["partner_name"] else False,
                "city": lead["city"],
                "amount": format_amount(lead["expected_revenue"] or 0.0, currencies[lead["company_id"]]),
            }
            if lead_type == "lead":
                row["answer_due"] = format_date(lead["date_partner_answer_due"])
            else:
                row.update(probability=int(lead["probability"] or 0), deadline=format_date(lead["date_deadline"]),
                           won_status=lead["won_status"], stage=stage_names.get(lead["stage_id"], ""))
            rows.append(row)
        return rows

    @api.model
    def _portal_list_formatters(self):
        """(format_date, format_amount) for a page of rows, in the user's language: the same text as
        ``tools.format_date`` and ``tools.format_amount`` (which the QWeb widgets call), with the language
        looked up once instead of once per value, and each distinct date formatted once."""
        lang = get_lang(self.env)
        locale = babel_locale_parse(lang.code)
        date_format = posix_to_ldml(lang.date_format, locale=locale)
        dates = {}

        def format_date(value):
            if not value:
                return ""
            if isinstance(value, datetime):
                value = fields.Datetime.context_timestamp(self, value)
            day = value.date() if isinstance(value, datetime) else value
            if day not in dates:
                dates[day] = babel.dates.format_date(day, format=date_format, locale=locale)
            return dates[day]

        grouping, thousands_sep = ast.literal_eval(lang.grouping), lang.thousands_sep or ""
        currencies = {}

        def format_amount(amount, currency):
            if currency.id not in currencies:
                symbol = currency.symbol or ""
                before = currency.position == "before"
                currencies[currency.id] = (currency.decimal_places, currency.rounding,
                                           symbol + "\N{NO-BREAK SPACE}" if before else "",
                                           "" if before else "\N{NO-BREAK SPACE}" + symbol)
            digits, rounding, pre, post = currencies[currency.id]
            integer, _dot, decimals = ("%.*f" % (digits, float_round(amount, precision_rounding=rounding))
                                       ).partition(".")
            text = intersperse(integer, grouping, thousands_sep)[0]
            if decimals:
                text += lang.decimal_point + decimals
            text = text.replace(" ", "\N{NO-BREAK SPACE}").replace("-", "-\N{ZERO WIDTH NO-BREAK SPACE}")
            return pre + text + post

        return format_date, format_amount

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
        row, the other one is told the lead has just been answered instead of answering it twice. That message
        is given only when another answer really was (or is being) recorded: an answer announces itself with a
        transaction lock per lead. When something else holds the row (a scheduled job, a salesperson saving the
        lead), the answer waits a moment for it; if the row changed meanwhile the whole request starts again
        (ConcurrencyError: the HTTP layer retries it), if it stays busy the user is asked to try again.
        """
        partners = self.env["res.partner"].sudo().search(
            [("id", "child_of", self.env.user.commercial_partner_id.id)])
        self.env["crm.lead"].flush_model(["type", "active", "partner_assigned_id"])
        waiting = SQL(
            "id = ANY(%s) AND type = 'lead' AND active AND partner_assigned_id = ANY(%s)", self.ids, partners.ids)
        busy = self.env._(
            "Another answer to this lead was recorded at the same moment. Reload the page to see where it stands.")
        later = self.env._("This lead is being updated right now. Please try again in a moment.")
        cr = self.env.cr
        cr.execute(SQL("SELECT bool_and(pg_try_advisory_xact_lock(%s, id)) FROM unnest(%s::int[]) AS id",
                       PORTAL_ANSWER_LOCK, self.ids))
        if not cr.fetchone()[0]:
            raise UserError(busy)  # another answer to one of these leads is being recorded right now
        for wait in (False, True):
            try:
                with cr.savepoint(flush=False):
                    if wait:
                        cr.execute(SQL("SET LOCAL lock_timeout = %s", PORTAL_ANSWER_WAIT))
                    cr.execute(SQL("SELECT id FROM crm_lead WHERE %s FOR UPDATE%s", waiting,
                                   SQL("") if wait else SQL(" NOWAIT")), log_exceptions=False)
                    locked = {row[0] for row in cr.fetchall()}
                    if wait:
                        cr.execute(SQL("SET LOCAL lock_timeout TO DEFAULT"))
                break
            except pg_errors.LockNotAvailable:
                if wait:
                    raise UserError(later) from None
            except pg_errors.SerializationFailure:
                # Changed since this transaction began: answered meanwhile, or touched by something else.
                with self.env.registry.cursor() as fresh:
                    fresh.execute(SQL("SELECT id FROM crm_lead WHERE %s", waiting))
                    still_waiting = {row[0] for row in fresh.fetchall()} == set(self.ids)
                if still_waiting:
                    raise ConcurrencyError("crm.lead %s changed during a portal answer" % self.ids) from None
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

    def _portal_is_open(self):
        """An opportunity the reseller still works on: not won, not lost. Only those can be updated."""
        self.ensure_one()
        lead = self.sudo()
        return lead.type == "opportunity" and lead.active and lead.won_status == "pending"

    def _portal_check_open(self):
        if not self._portal_is_open():
            raise UserError(self.env._("Only open opportunities can be updated."))

    def _portal_check_activity(self, form, cleaned, errors):
        """The next activity of a form: (type, date, summary), or None when the form gives no date (a required
        date is the form's own check). With a date, the type is required and the date may not be past."""
        activity_type, deadline = cleaned.get("activity_type_id"), cleaned.get("activity_date_deadline")
        if not deadline:
            return None
        if not activity_type and "activity_type_id" not in errors:
            errors["activity_type_id"] = translate(self.env, form.fields["activity_type_id"].missing)
        if deadline < fields.Date.context_today(self):
            errors["activity_date_deadline"] = self.env._("The next activity cannot be planned in the past.")
        return activity_type, deadline, cleaned.get("activity_summary") or ""

    def partner_interested(self, values):
        """The current reseller accepts these leads ("I'm interested").

        ``values`` (a portal form): ``activity_type_id``, ``activity_date_deadline``, ``activity_summary`` (the
        next planned activity), ``expected_revenue`` and ``contacted`` (the customer was contacted), all required.
        A missing or wrong value raises FormError and nothing changes. Otherwise each lead becomes an
        opportunity assigned to the reseller's company, the feedback is posted in the chatter and the activity is
        scheduled for the current user.
        """
        self._check_portal_access()
        if any(lead.type != "lead" for lead in self.sudo()):
            raise UserError(self.env._("This lead has already been accepted: it is now an opportunity."))
        cleaned, errors = INTERESTED_FORM.validate(self, values)
        self._portal_check_activity(INTERESTED_FORM, cleaned, errors)
        INTERESTED_FORM.check(self, errors)
        activity_type, deadline, summary, revenue = (cleaned[key] for key in (
            "activity_type_id", "activity_date_deadline", "activity_summary", "expected_revenue"))
        self._lock_portal_answer()

        user, company = self.env.user, self.env.user.commercial_partner_id
        leads = self.sudo()
        # The answer log first: accepting re-assigns contacts' leads to the company (a new assignment time).
        self.env["partner.lead.answer"]._log_answers(leads, "accepted", partner=company)
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
        cleaned = NOT_INTERESTED_FORM.parse(self, values)
        comment, contacted, spam = cleaned["comment"], cleaned["contacted"], cleaned["spam"]
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
        self.env["partner.lead.answer"]._log_answers(leads, "declined", partner=company)
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
        changed fields are written; a wrong value raises FormError and nothing changes.
        """
        self.ensure_one()
        self._check_portal_access()
        self._portal_check_open()
        lead = self.sudo()
        cleaned, errors = OPPORTUNITY_UPDATE_FORM.validate(self, values, only_posted=True)
        activity = self._portal_check_activity(OPPORTUNITY_UPDATE_FORM, cleaned, errors)
        OPPORTUNITY_UPDATE_FORM.check(self, errors)
        update = {}
        if cleaned.get("stage_id") and cleaned["stage_id"] != lead.stage_id:
            update["stage_id"] = cleaned["stage_id"].id
        if cleaned.get("priority") and cleaned["priority"] != lead.priority:
            update["priority"] = cleaned["priority"]
        revenue = cleaned.get("expected_revenue")
        if revenue is not None and revenue != lead.expected_revenue:
            update["expected_revenue"] = revenue
        probability = cleaned.get("probability")
        if probability is not None and round(probability, 2) != round(lead.probability, 2):
            update["probability"] = probability
        if "date_deadline" in cleaned and (cleaned["date_deadline"] or False) != lead.date_deadline:
            update["date_deadline"] = cleaned["date_deadline"] or False
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

        Only the name, email, phone and address (``CONTACT_DETAILS_FORM``) may be given: any other key raises
        UserError, a won or lost opportunity raises UserError, a wrong value raises FormError, and nothing changes.
        The linked customer record (``partner_id``) is left alone: the salesperson decides whether to copy the
        new details onto it.
        """
        self.ensure_one()
        self._check_portal_access()
        forbidden = sorted(set(values) - set(CONTACT_DETAILS_FORM.fields))
        if forbidden:
            raise UserError(self.env._(
                "Only the customer's name, email, phone and address can be changed here, not: %(fields)s.",
                fields=", ".join(forbidden)))
        lead = self.sudo()
        if lead.type != "opportunity":
            raise UserError(self.env._("Accept this lead before updating its contact details."))
        self._portal_check_open()
        cleaned, errors = CONTACT_DETAILS_FORM.validate(self, values, only_posted=True)
        if not (cleaned.get("partner_name", lead.partner_name) or cleaned.get("contact_name", lead.contact_name)):
            errors["partner_name"] = self.env._("Give the customer's name or the contact's name.")
        CONTACT_DETAILS_FORM.check(self, errors)
        update = {key: (value.id if value else False) if key.endswith("_id") else value or False
                  for key, value in cleaned.items()}
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


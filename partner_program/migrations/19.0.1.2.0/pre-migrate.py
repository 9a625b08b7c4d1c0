"""19.0.1.2.0: leads got the precise time of their assignment (date_partner_assigned_at), from which the
answer log counts a reseller's time to answer. Leads assigned before it get midnight of their assignment
date, instead of the time of the update; the column exists before the ORM sees the field, so the ORM
computes nothing for them."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("ALTER TABLE crm_lead ADD COLUMN IF NOT EXISTS date_partner_assigned_at timestamp")
    cr.execute("""UPDATE crm_lead SET date_partner_assigned_at = date_partner_assign::timestamp
                   WHERE partner_assigned_id IS NOT NULL AND date_partner_assign IS NOT NULL
                     AND date_partner_assigned_at IS NULL""")

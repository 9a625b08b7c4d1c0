def uninstall_hook(env):
    """Drop the partner programs before uninstalling.

    Fund operations are append-only and block the deletion of their funds, opportunities and marketing
    activities on purpose; uninstalling the add-on is the one time they go, first, so that the demo and
    program records (and the contacts and leads they point to) can be removed cleanly.
    """
    env.cr.execute("DELETE FROM partner_fund_operation")
    _remove_demo_payouts(env)
    # Fund requests hold on to their fund; their payouts still in draft go with them (posted ones are the
    # company's accounting and stay).
    env.cr.execute("""DELETE FROM account_move m USING partner_fund_request r
                       WHERE r.move_id = m.id AND m.state = 'draft'""")
    env.cr.execute("DELETE FROM partner_fund_request")
    # The demo's confirmed orders (partner pricing) would refuse their deletion: cancelled first.
    env.cr.execute("""UPDATE sale_order SET state = 'cancel' WHERE id IN (
                          SELECT res_id FROM ir_model_data
                           WHERE module = 'partner_program' AND model = 'sale.order')""")
    env.cr.execute("DELETE FROM partner_deal_registration")  # holds on to its reseller (ondelete restrict)
    env.cr.execute("DELETE FROM partner_partnership")  # cascades to funds, progress, history, trainings…
    # Rewards and statements hold on to their leads and partners on purpose (ondelete restrict): they go first.
    env.cr.execute("DELETE FROM partner_reward")
    env.cr.execute("DELETE FROM partner_commission_statement")
    env.cr.execute("DELETE FROM partner_application")
    env.cr.execute("UPDATE res_partner SET partner_group_id = NULL WHERE partner_group_id IS NOT NULL")
    # give partnership's CRM > Configuration menu back to everyone (the app hid it, see partner_program_menus.xml)
    menu = env.ref("partnership.crm_menu_partners", raise_if_not_found=False)
    no_one = env.ref("base.group_no_one", raise_if_not_found=False)
    if menu and no_one:
        menu.group_ids = [(3, no_one.id)]


def _remove_demo_payouts(env):
    """The demo pays one fund request through Accounting (its bill posted, a payment registered): the bill and
    its payment are demo data too, and they hold on to the demo's journal, account and partner. Payouts of
    requests made by users are the company's accounting and stay."""
    env.cr.execute("SELECT res_id FROM ir_model_data "
                   "WHERE module = 'partner_program' AND model = 'partner.fund.request'")
    requests = env["partner.fund.request"].browse([row[0] for row in env.cr.fetchall()]).exists()
    moves = requests.move_id.filtered(lambda move: move.state == "posted").with_context(force_delete=True)
    if not moves:
        return
    payments = moves._get_reconciled_payments().with_context(force_delete=True)
    # the demo's payment wizard (transient, not vacuumed yet) holds on to the partner too
    env["account.payment.register"].search([("line_ids", "in", moves.line_ids.ids)]).unlink()
    moves.line_ids.remove_move_reconcile()
    payments.action_draft()
    payments.unlink()
    moves.button_draft()
    moves.unlink()

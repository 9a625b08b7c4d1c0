def uninstall_hook(env):
    """Drop the partner programs before uninstalling.

    Fund operations are append-only and block the deletion of their funds, opportunities and marketing
    activities on purpose; uninstalling the add-on is the one time they go, first, so that the demo and
    program records (and the contacts and leads they point to) can be removed cleanly.
    """
    env.cr.execute("DELETE FROM partner_fund_operation")
    env.cr.execute("DELETE FROM partner_partnership")  # cascades to funds, progress, history, trainings…
    # Rewards and statements hold on to their leads and partners on purpose (ondelete restrict): they go first.
    env.cr.execute("DELETE FROM partner_reward")
    env.cr.execute("DELETE FROM partner_commission_statement")
    env.cr.execute("DELETE FROM partner_application")
    env.cr.execute("UPDATE res_partner SET partner_group_id = NULL WHERE partner_group_id IS NOT NULL")

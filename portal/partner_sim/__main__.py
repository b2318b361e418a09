from portal.partner_sim.cli import partner_sim_command

partner_sim_command(prog_name="python -m portal.partner_sim")

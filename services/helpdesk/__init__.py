"""helpdesk: tickets for seniors who need a person, and the staff queue that works them."""

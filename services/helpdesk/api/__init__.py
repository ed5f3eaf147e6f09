"""helpdesk's HTTP side: the staff API under /staff/api and the staff page under /staff/."""

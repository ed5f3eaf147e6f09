"""The helpdesk's use cases: load tickets through the repository, ask the `Ticket` aggregate for
the change, commit it (with its events, LINE messages and metrics) in one transaction."""

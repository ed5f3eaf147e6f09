"""Local mail servers for the demo and the tests: an SMTP endpoint (aiosmtpd) delivering the
helpdesk's mail into a maildir that Dovecot serves over IMAP, and the submission port the
helpdesk sends through, recorded in a sink (tools/devstack/mail.py starts them)."""

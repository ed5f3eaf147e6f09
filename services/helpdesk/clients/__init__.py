"""The helpdesk's adapters to the outside: the mailbox it reads (IMAP) and the submission
server it sends through (SMTP). They move bytes; what a mail means is decided in domain/mail."""

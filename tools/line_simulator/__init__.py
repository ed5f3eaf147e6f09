"""A LINE Platform simulator over real HTTP: signed webhooks out, the Messaging API in, a demo chat page."""

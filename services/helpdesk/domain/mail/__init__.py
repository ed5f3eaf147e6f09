"""The helpdesk's e-mail channel, pure parts (no I/O): reading mail as it really arrives
(`parsing.parse_mail`), telling people from machines (`automation.classify`), threading
(`threading`) and writing staff replies (`compose.build_reply`)."""

"""Japanese messages as words and concepts: morphology, the concept language, the matcher (what
the safety rules and the programme FAQ are both written in)."""

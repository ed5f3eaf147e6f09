"""tablet_lending: the programme office's system of record for cohorts, participants and loans."""

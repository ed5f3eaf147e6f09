"""Capacity and cost of the platform for today's programme, 100,000 friends and 2.4 million seniors.

    .venv/bin/python -m bench.capacity                 # the table, from bench/capacity/measured.json
    .venv/bin/python -m bench.capacity --help          # every assumption, with its default
    .venv/bin/python -m bench.capacity --measure       # measure this machine, rewrite measured.json
    .venv/bin/python -m bench.capacity --simulate-month   # a month of 800 borrowers on the real stack

`assumptions.py` holds every stated assumption (one place, each with its default and why),
`pricing.py` LINE's plans and the model's prices, `model.py` the arithmetic (pure functions),
`measure.py` the measuring mode on the real stack, `month.py` and `simulate.py` the simulated
month and its comparison with the model, `report.py` the tables.
"""

"""The local stack, started by the project's own scripts: real Kafka, real mongod, the services.

`make run` / `make up` / `make down` / `make status` drive it from the command line
(`python -m tools.devstack`), and the test suite starts its own instance on free ports and in a
temporary folder through the same classes, so tests and demo run the same way.
"""

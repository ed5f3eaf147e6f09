"""The Smart Senior Life platform's services, one package per process, plus `common`."""

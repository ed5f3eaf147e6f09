# One image for the whole platform: the four services and the two simulators.
# docker-compose.yml picks what a container runs with its `command`, e.g.
#   python -m services.ai_chat      (ports: line_gateway 8001, tablet_lending 8002,
#                                    ai_chat 8003, helpdesk 8004)
#   python -m tools.line_simulator  (8100, dev profile only)
#
# MongoDB and Kafka come from their own images, so neither the [local] extra (a bundled mongod)
# nor the [dev] extra (test and lint tools) is installed here.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 sslp \
    && useradd --system --uid 10001 --gid sslp --home-dir /var/lib/sslp --shell /usr/sbin/nologin sslp \
    && install --directory --owner sslp --group sslp /var/lib/sslp

# The Japanese font line_gateway draws its rich menu labels with (the image is made at start).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-ipaexfont-gothic \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/sslp/src

# Dependencies first, pinned by constraints.txt: this layer is rebuilt only when pyproject.toml or
# constraints.txt change, not on every code change.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# The platform itself (a regular, non-editable install: the containers run the installed package).
COPY services/ services/
COPY tools/ tools/
RUN pip install -c constraints.txt . \
    && rm -rf build ./*.egg-info

# Run from a writable folder of the service user that holds no source tree, so `python -m
# services.x` imports the installed package (package data included) and faust can keep its
# per-app data folder here.
WORKDIR /var/lib/sslp
USER sslp

EXPOSE 8001 8002 8003 8004 8100 8200

# No HEALTHCHECK here: the port differs per service, so each compose service declares its own
# check on /readyz.
CMD ["python", "-m", "services.line_gateway"]

import argparse

from services.common.serve import serve
from services.line_gateway.app import create_app
from services.line_gateway.settings import GatewayRole, LineGatewaySettings

parser = argparse.ArgumentParser(prog="python -m services.line_gateway")
parser.add_argument(
    "--role",
    choices=[role.value for role in GatewayRole],
    help="webhook, sender or all (default: LINE_GATEWAY_ROLE, else all)",
)
arguments = parser.parse_args()
settings = LineGatewaySettings()
if arguments.role:
    settings = settings.model_copy(update={"role": GatewayRole(arguments.role)})
serve(create_app(settings), settings)

from services.common.serve import serve
from services.line_gateway.app import create_app
from services.line_gateway.settings import LineGatewaySettings

settings = LineGatewaySettings()
serve(create_app(settings), settings)

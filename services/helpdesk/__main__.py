from services.common.serve import serve
from services.helpdesk.app import create_app
from services.helpdesk.settings import HelpdeskSettings

settings = HelpdeskSettings()
serve(create_app(settings), settings)

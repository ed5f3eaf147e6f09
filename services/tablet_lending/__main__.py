from services.common.serve import serve
from services.tablet_lending.app import create_app
from services.tablet_lending.settings import TabletLendingSettings

settings = TabletLendingSettings()
serve(create_app(settings), settings)

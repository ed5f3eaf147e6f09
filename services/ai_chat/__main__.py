from services.ai_chat.app import create_app
from services.ai_chat.settings import AiChatSettings
from services.common.serve import serve

settings = AiChatSettings()
serve(create_app(settings), settings)

"""ai_chat: 大ちゃん (Dai-chan), the programme's AI companion on LINE."""

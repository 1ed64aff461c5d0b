"""The answer-generation port and its adapters: extractive (offline) and OpenAI-compatible."""

"""The assistant: conversations, retrieval-augmented answers and feedback."""

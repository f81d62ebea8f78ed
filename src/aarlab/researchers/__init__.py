"""Researchers: one loop and one tool set, several kinds (builtin, anthropic, openai, hacker)."""

"""agent_console."""

"""Beacon's application core: entities, services and the ports they use; no web or queue framework."""

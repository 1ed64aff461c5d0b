"""Beacon's application core: entities, services and their ports; no web or queue framework."""

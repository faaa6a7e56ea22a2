"""Summarise: page windows, a facts header, hierarchical combine, coverage, resumable parts.

``pipeline`` runs it; ``parts`` holds the pure pieces (windows, schemas, prompts, points);
``facts`` builds the facts header from the typed extractors.
"""

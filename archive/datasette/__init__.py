"""Datasette for the archive: metadata (metadata.yml), plugins (plugins/), and the server (server.py).

``python -m archive.datasette serve DB …`` is Datasette's own command line with the govreports
plugins loaded; ``govreports serve --db DB`` runs it with the project's metadata.
"""

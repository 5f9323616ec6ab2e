"""Founding documents: reading a statement a secretariat pastes or uploads, splitting it
into sections and proposing the commitments it makes (see importer.py)."""

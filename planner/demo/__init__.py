"""The demo data: two real dialogues, loaded from their public statements."""

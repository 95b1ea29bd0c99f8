"""Extract stage: Document → metadata (meta), tables (tokens → tables → table_cells), frames (batch)."""

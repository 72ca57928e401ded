"""carepath form definitions: JSON Schema + UI schema -> validation and rendering (see DESIGN.md)."""

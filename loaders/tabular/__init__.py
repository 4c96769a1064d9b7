"""The canonical tabular bundle: one CSV file or XLSX sheet per entity (docs/import-format.md)."""

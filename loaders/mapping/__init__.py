"""Column-mapping files (YAML): import foreign lists without editing them."""

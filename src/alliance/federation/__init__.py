"""Federation: sovereign nodes exchange exactly what is released, signed and gap-free."""

"""Label Studio interoperability: our statements as Label Studio regions, and back."""

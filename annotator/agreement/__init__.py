"""Agreement: how far annotators agree, per field, per pair, on spans; pure core beside its routes."""

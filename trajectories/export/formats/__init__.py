"""Export formats; each module registers one exporter (see `base.register_exporter`)."""

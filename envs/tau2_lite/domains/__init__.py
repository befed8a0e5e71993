"""Built-in tau2-lite domains; each registers itself with `envs.tau2_lite.domain.register_domain`."""

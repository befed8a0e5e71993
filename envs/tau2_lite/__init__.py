"""tau2-lite: τ²-bench-style tool-calling domains with a simulated user."""

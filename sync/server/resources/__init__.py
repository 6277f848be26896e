"""The server's HTTP resources, one module per URL family, each exposing ``router``."""

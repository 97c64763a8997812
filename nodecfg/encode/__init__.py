"""Writers of the formats nodeadm's Go libraries produce: go-toml and YAML."""

"""istio-iptables 1.12.6 rule generation that never touches the host.

`config` reads flags, environment and host facts; `rules` generates the ordered rule
lists; `render` prints them as a command list or iptables-restore payloads; `explain`
reads an injected pod's `istio-init` container and describes what its chains do.
"""

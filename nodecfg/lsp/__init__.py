"""The language server behind ``nodecfg lsp``: document.py lints one open document (no pygls),
server.py speaks the protocol with pygls, imported only when ``nodecfg lsp`` runs."""

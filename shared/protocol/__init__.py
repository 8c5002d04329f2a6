"""Wire models shared by the server, the desktop and (through OpenAPI) the web UI."""

PROTOCOL_VERSION = 1

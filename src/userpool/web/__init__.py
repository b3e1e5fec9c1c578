"""The service's own web pages: the confirmation link's page (``GET /confirmUser``) and the local inbox
(``GET /_userpool/inbox``). Jinja2 templates with autoescaping: every value shown is escaped."""

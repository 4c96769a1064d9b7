"""Server-rendered pages (German UI)."""

from __future__ import annotations

from html import escape

_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}}
h1{{color:#1b4f72}} a{{color:#1b4f72}} li{{margin:.3rem 0}}
</style></head><body>{body}</body></html>"""


def page(title: str, body: str) -> str:
    return _PAGE.format(title=escape(title), body=body)


def landing_page() -> str:
    return page(
        "verbund",
        """<h1>verbund</h1>
<p>Netzwerk- und Überleitungsgraph für Jobcenter, Jugendämter und ihre Partner:
wer bietet was in welchem Sozialraum an, wohin kann eine Familie übergeleitet werden,
wo fehlt Hilfe, wo gibt es Doppelstrukturen.</p>
<ul>
<li><a href="/graphql">GraphQL-Schnittstelle (GraphiQL)</a></li>
<li><a href="/health">Systemzustand</a></li>
</ul>""",
    )

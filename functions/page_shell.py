"""The one HTML page shell of every page Starling serves without an API key: the application form and its
answers (public), the redirect's 404 and 410 pages, and later the portal.

Mobile-first: readable at 360 px, with the viewport set and system fonts. Standard library only, because
the redirect imports it and its cold start is measured against bare boto3. Every function's asset carries
this module beside `functions/__init__.py` (infra/bundling.py).
"""

from __future__ import annotations

from html import escape

BASE_CSS = """
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;
background:#f6f6f4}
main{max-width:36rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}
"""


def page(title: str, body: str, css: str = "") -> str:
    """A complete HTML document: `title` (escaped here) and `body` (HTML, escaped by the caller) in the
    shell, with the page's own `css` after the shell's."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{BASE_CSS}{css}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


_ACTION_CSS = (
    ".action{display:inline-block;min-height:48px;padding:.75rem 1.25rem;border-radius:6px;"
    "background:#1d4ed8;color:#fff;font-weight:600;text-decoration:none;overflow-wrap:anywhere}"
)


def message_page(title: str, text: str, action: tuple[str, str] | None = None) -> str:
    """A page that says one thing: a heading and a sentence, both plain text, and optionally a way
    forward, `action` = (link text, URL), shown as a button-sized link."""
    body = f"<h1>{escape(title)}</h1>\n<p>{escape(text)}</p>"
    if action is None:
        return page(title, body)
    label, url = action
    body += f'\n<p><a class="action" href="{escape(url)}">{escape(label)}</a></p>'
    return page(title, body, css=_ACTION_CSS)

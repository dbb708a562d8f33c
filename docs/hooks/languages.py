"""The English/Chinese switch without console errors or duplicate results.

1. mkdocs-static-i18n points the language menu at the same page in the
   other language. Material also reads each `<link rel="alternate"
   hreflang=...>` in the head as a language root and fetches `sitemap.xml`
   under it to find that page itself; with links per page it asked for
   `getting-started/sitemap.xml`, which does not exist: a 404 in the
   console on every page. The menu already knows the page, so those head
   links go; the menu and the root sitemap.xml (every page with its
   alternates, for search engines) stay.
2. The Chinese build holds every page, in English where no translation
   exists, and the search index gathers both builds, so each English page
   was found twice. An English fallback in the Chinese build is left out
   of the index; it is still one click away, under its English address.
"""

import re

from mkdocs.plugins import event_priority

_HEAD_ALTERNATE = re.compile(
    r'\n\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">'
)


# Before Material's search plugin indexes the page.
@event_priority(10)
def on_page_context(context, page, config, nav):
    i18n = config.plugins.get("i18n")
    locale = getattr(page.file, "locale", None)
    if i18n is not None and locale and locale != i18n.current_language:
        page.meta["search"] = {
            **(page.meta.get("search") or {}),
            "exclude": True,
        }
    return context


def on_post_page(output, page, config):
    return _HEAD_ALTERNATE.sub("", output)

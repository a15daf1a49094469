#!/usr/bin/env python3
"""Checks every internal link of a built static site: each href/src of every HTML page must name a
file of the site, and each #anchor an id (or a name) in that page. External links (with a scheme) are
counted, not fetched: the build has no network.

    check-links.py SITE_DIR [--ignore REGEX]...

--ignore: a broken link whose "page: link" text matches REGEX is reported as ignored, not broken
(for known bugs of a generator, each named where the option is given).
"""
import re
import os
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit


class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key) and (key == "id" or tag == "a"):
                self.ids.add(a[key])
        attr = {"a": "href", "link": "href", "area": "href", "img": "src", "script": "src", "iframe": "src"}.get(tag)
        if attr and a.get(attr) and not (tag == "link" and a.get("rel") in ("preconnect", "dns-prefetch")):
            self.links.append((a[attr], self.getpos()[0]))


def main():
    root = os.path.abspath(sys.argv[1])
    ignores = [re.compile(sys.argv[i + 1]) for i in range(2, len(sys.argv) - 1) if sys.argv[i] == "--ignore"]
    parsed = {}

    def page(path):
        if path not in parsed:
            p = Page()
            with open(path, encoding="utf-8", errors="replace") as f:
                p.feed(f.read())
            parsed[path] = p
        return parsed[path]

    htmls = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".html")]
    broken, internal, external = [], 0, 0
    for html in sorted(htmls):
        for link, line in page(html).links:
            u = urlsplit(link)
            if u.scheme or link.startswith("//"):
                external += 1
                continue
            internal += 1
            if u.path:
                target = os.path.join(root, unquote(u.path).lstrip("/")) if u.path.startswith("/") \
                    else os.path.join(os.path.dirname(html), unquote(u.path))
            else:
                target = html
            target = os.path.normpath(target)
            if os.path.isdir(target):
                target = os.path.join(target, "index.html")
            where = f"{os.path.relpath(html, root)}:{line}: {link}"
            if not target.startswith(root) or not os.path.isfile(target):
                broken.append(f"{where} (no such file)")
                continue
            anchor = unquote(u.fragment)
            if anchor and target.endswith(".html") and anchor not in page(target).ids:
                broken.append(f"{where} (no #{anchor} in {os.path.relpath(target, root)})")
    ignored = [b for b in broken if any(r.search(b) for r in ignores)]
    broken = [b for b in broken if b not in ignored]
    for b in ignored:
        print("  ignored: " + b)
    print(f"check-links: {len(htmls)} pages, {internal} internal links checked, {external} external links not fetched, "
          f"{len(broken)} broken")
    for b in broken:
        print("  " + b)
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()

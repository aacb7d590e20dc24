#!/usr/bin/env python3
"""Turns a folder of one-review capsule files (as ../shared/tools/gen_corpus.py writes them with
--short-share 1.0) into the critic's letter pages, for measuring `marquee import` on them:

    letter_pages.py CAPSULES OUT [--per-page N]

OUT/txt/ gets text pages (UTF-8) and OUT/htm/ the same pages as old hand-made HTML (Windows-1252,
<p> paragraphs, header wraps as <br>, the heading and links to the index), N capsules a page
(default 50), grouped by the title's first letter. Files that are not capsules (modern reviews)
are left out. Prints how many capsules went into how many pages.
"""

import argparse
import html
import os
import re
from collections import defaultdict


def read(path):
    raw = open(path, "rb").read()
    for encoding in ("utf-8-sig", "utf-16", "cp1252"):
        try:
            text = raw.decode(encoding)
            if encoding == "utf-16" and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                continue
            return text.replace("\r\n", "\n").replace("\r", "\n").strip()
        except UnicodeError:
            continue
    return None


def letter_of(text):
    first = text[:1].upper()
    return first if first.isalpha() else "#"


def heading(letter, count):
    return "Dennis Schwartz'\nShort Reviews\n'%s'  %d" % (letter, count)


def as_html(letter, count, capsules):
    out = [
        "<html><head>",
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
        "<title>Short Reviews: %s</title></head>" % letter,
        '<body bgcolor="#FFFFFF">',
        "<center>" + "<br>\n".join(html.escape(l) for l in heading(letter, count).split("\n")) + "</center>",
    ]
    for capsule in capsules:
        for paragraph in re.split(r"\n\s*\n", capsule):
            lines = [html.escape(l.strip()) for l in paragraph.split("\n")]
            out.append("<p>" + "<br>\n".join(lines))
    out.append('<hr><p align="center"><a href="index.htm">Index</a></body></html>')
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("capsules")
    parser.add_argument("out")
    parser.add_argument("--per-page", type=int, default=50)
    args = parser.parse_args()
    by_letter = defaultdict(list)
    for name in sorted(os.listdir(args.capsules)):
        text = read(os.path.join(args.capsules, name))
        if not text or text.startswith("("):
            continue
        by_letter[letter_of(text)].append(text)
    os.makedirs(os.path.join(args.out, "txt"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "htm"), exist_ok=True)
    pages = capsules = 0
    for letter, texts in sorted(by_letter.items()):
        for start in range(0, len(texts), args.per_page):
            chunk = texts[start : start + args.per_page]
            name = "%s%d" % ("numbered" if letter == "#" else letter.lower(), start // args.per_page + 1)
            page = heading(letter, len(chunk)) + "\n\n\n" + "\n\n".join(chunk) + "\n"
            with open(os.path.join(args.out, "txt", name + ".txt"), "w", encoding="utf-8") as f:
                f.write(page)
            with open(os.path.join(args.out, "htm", name + ".htm"), "wb") as f:
                f.write(as_html(letter, len(chunk), chunk).encode("cp1252", "xmlcharrefreplace"))
            pages += 1
            capsules += len(chunk)
    print("%d capsules in %d pages" % (capsules, pages))


if __name__ == "__main__":
    main()

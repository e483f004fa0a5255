"""An exercise's brief: Markdown rendered to HTML and sanitised, so that no script runs."""

import markdown
import nh3


def brief_html(brief_md: str) -> str:
    html = markdown.markdown(brief_md, extensions=["fenced_code", "tables", "sane_lists"])
    return nh3.clean(html, url_schemes={"http", "https", "mailto"})

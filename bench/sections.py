"""BENCHMARKS.md: each benchmark script owns one section between its own markers."""
import os


def replace_section(path, section, begin, end):
    """Writes `section` (which starts with `begin` and ends with `end`) in place of the old one, or appends it."""
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    if begin in text and end in text:
        start, stop = text.index(begin), text.index(end) + len(end)
    else:
        text = text.rstrip("\n") + "\n\n"
        start = stop = len(text)
    rest = text[stop:].lstrip("\n")
    temporary = path + ".tmp"
    with open(temporary, "w") as handle:
        handle.write(text[:start] + section + "\n" + ("\n" + rest if rest else ""))
    os.replace(temporary, path)

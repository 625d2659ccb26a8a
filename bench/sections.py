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


def write_json(path, value):
    """Writes `value` as JSON whole or not at all (a temporary file renamed into place)."""
    import json

    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    temporary = path + ".tmp"
    with open(temporary, "w") as handle:
        json.dump(value, handle, indent=1)
    os.replace(temporary, path)

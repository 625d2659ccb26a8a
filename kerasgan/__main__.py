"""`python -m kerasgan train|sample`: the same as the `kerasgan` command."""
from kerasgan.cli import run

run()

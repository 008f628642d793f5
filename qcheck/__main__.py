from qcheck.cli import run

run()

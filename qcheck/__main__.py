from qcheck.cli import main

main(prog_name="qcheck")

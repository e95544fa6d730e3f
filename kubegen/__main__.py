from kubegen.cli import main

main(prog_name="kubegen")

from kubegen.cli import run

run()

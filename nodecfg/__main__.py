from nodecfg.cli.main import run

run()

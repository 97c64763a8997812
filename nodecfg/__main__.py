from nodecfg.cli import command

command()

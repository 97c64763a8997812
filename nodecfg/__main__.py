from nodecfg.cli.main import main

raise SystemExit(main())

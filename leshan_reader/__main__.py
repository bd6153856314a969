from leshan_reader.cli import main

raise SystemExit(main())

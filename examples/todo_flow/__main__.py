"""Run the seed 002 todo flow (section B): ``python -m examples.todo_flow [store-url]``."""

from examples.todo_flow.flow import main

raise SystemExit(main())

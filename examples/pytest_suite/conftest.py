"""Use the emulator in your own pytest suite: one line enables its fixtures."""

pytest_plugins = ["daytona_emulator.pytest_plugin"]

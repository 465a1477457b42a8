"""The workflow: intake, the permit types' machines as the one gate of every change, their
rules, and the events they record."""

"""The control plane: everything under ``/api`` except ``/api/toolbox``."""

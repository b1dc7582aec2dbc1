"""crmctl: a command-line CRM whose data is plain YAML files under git."""

__version__ = "0.1.0"

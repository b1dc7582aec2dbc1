"""Team use through git: the record merge driver, auto-commit, sync and resolve, diff and log in CRM terms,
and work that must happen once across clones (notify, escalate). crmctl calls the `git` executable."""

"""The keys of the built-in record types (`config/types/*.yaml`), named once for the code outside workflows.

Code below the workflows learns types from the configuration; code above
them (present, checks, reports, the CLI) that needs one particular built-in
type names it through these constants, so a search for a type key finds
its workflow and its configuration only.
"""

CUSTOMER = "customer"
SERVICE_REQUEST = "service_request"
LEAD = "lead"
ACCOUNT_REQUEST = "account_request"
SALES_PROJECT = "sales_project"

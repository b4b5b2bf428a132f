//! Stock admin messages (`rpc.catalog.admin.stock.*`): written by the catalog-admin-categories change.

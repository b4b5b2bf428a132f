//! Category admin messages (`rpc.catalog.admin.categories.*`): written by the catalog-admin-categories change.

//! Image admin messages (`rpc.catalog.admin.images.*`): written by the images change.

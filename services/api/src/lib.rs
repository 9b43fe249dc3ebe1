//! The GraphQL API (lands with the GraphQL issue).

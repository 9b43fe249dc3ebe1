//! `serve`'s open-data publisher flags (`--open-data-*`, `SAMVERKAN_OPEN_DATA_*`):
//! who publishes the DCAT-AP-SE catalogue and whom to ask about it. Each
//! value is checked when the server starts; a bad one stops it with a
//! plain sentence.

use clap::Args;
use samverkan_api::open_data::{self, Publisher};

#[derive(Debug, Clone, Args)]
pub struct OpenDataArgs {
    /// The open-data catalogue's publisher (`dct:publisher` `foaf:name`), e.g.
    /// `Arvika kommun`. The default `Samverkan` is a placeholder.
    #[arg(
        long,
        env = "SAMVERKAN_OPEN_DATA_PUBLISHER",
        value_name = "NAME",
        default_value = open_data::DEFAULT_PUBLISHER,
        value_parser = open_data::parse_name
    )]
    pub open_data_publisher: String,

    /// The publisher's URI (the agent's `@id`), e.g. `https://www.arvika.se/`
    /// (default: `{public URL}/open-data/publisher`).
    #[arg(
        long,
        env = "SAMVERKAN_OPEN_DATA_PUBLISHER_URI",
        value_name = "URI",
        value_parser = open_data::parse_uri
    )]
    pub open_data_publisher_uri: Option<String>,

    /// The catalogue's contact point's name (`vcard:fn`), e.g. `Arvika kommun,
    /// kommunledningskontoret` (default: the publisher's name).
    #[arg(
        long,
        env = "SAMVERKAN_OPEN_DATA_CONTACT_NAME",
        value_name = "NAME",
        value_parser = open_data::parse_name
    )]
    pub open_data_contact_name: Option<String>,

    /// The contact point's e-mail address (`vcard:hasEmail`), e.g.
    /// `oppnadata@arvika.se`. The default `opendata@samverkan.invalid` is a
    /// placeholder that reaches nobody.
    #[arg(
        long,
        env = "SAMVERKAN_OPEN_DATA_CONTACT_EMAIL",
        value_name = "EMAIL",
        default_value = open_data::DEFAULT_CONTACT_EMAIL,
        value_parser = open_data::parse_email
    )]
    pub open_data_contact_email: String,
}

impl From<OpenDataArgs> for Publisher {
    fn from(a: OpenDataArgs) -> Self {
        Publisher {
            name: a.open_data_publisher,
            uri: a.open_data_publisher_uri,
            contact_name: a.open_data_contact_name,
            contact_email: a.open_data_contact_email,
        }
    }
}

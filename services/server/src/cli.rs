//! The command line: `samverkan serve | seed | schema`. Every flag can also
//! be set through an environment variable (`SAMVERKAN_…`).

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};

/// Samverkan: an event-sourced backend for municipalities collaborating across borders.
#[derive(Debug, Parser)]
#[command(name = "samverkan", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (GraphiQL at /graphql).
    Serve(ServeArgs),
    /// Load the demo data (made from the seeds) into the store and exit. Loading twice changes nothing.
    Seed(DataArgs),
    /// Print the GraphQL schema (SDL).
    Schema,
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Data directory: the embedded event store, projection snapshot and
    /// process-manager checkpoint live here.
    #[arg(long, env = "SAMVERKAN_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Event store: `sqlite:<file>` (relative to the data directory; default
    /// `sqlite:events.sqlite`) or a KurrentDB connection string
    /// (`kurrentdb://host:2113?tls=false`, needs the `kurrentdb` build feature).
    #[arg(long, env = "SAMVERKAN_STORE_URL")]
    pub store_url: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,

    /// Address to listen on; port 0 picks a free port (the real one is printed).
    #[arg(long, env = "SAMVERKAN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// Load the demo data before serving (idempotent).
    #[arg(long, env = "SAMVERKAN_DEMO")]
    pub demo: bool,

    /// INSECURE: treat every request as the administrator `dev`. On by default
    /// until real authentication lands; `--insecure-dev-auth=false` turns it off.
    #[arg(
        long,
        env = "SAMVERKAN_INSECURE_DEV_AUTH",
        default_value_t = true,
        action = ArgAction::Set,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true"
    )]
    pub insecure_dev_auth: bool,
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_defaults_and_flags() {
        let cli = Cli::try_parse_from(["samverkan", "serve"]).unwrap();
        let Command::Serve(a) = cli.command else {
            panic!("serve")
        };
        assert_eq!(a.listen, "127.0.0.1:8080");
        assert_eq!(a.data.data_dir, PathBuf::from("./data"));
        assert!(a.insecure_dev_auth && !a.demo && a.data.store_url.is_none());

        let cli = Cli::try_parse_from([
            "samverkan",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--demo",
            "--insecure-dev-auth=false",
            "--data-dir",
            "/tmp/x",
        ])
        .unwrap();
        let Command::Serve(a) = cli.command else {
            panic!("serve")
        };
        assert!(a.demo && !a.insecure_dev_auth);
        assert_eq!(a.listen, "127.0.0.1:0");
    }
}

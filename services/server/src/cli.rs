//! The command line: `samverkan serve | seed | schema | token | keys | migrate | verify | loadgen`. Every flag
//! can also be set through an environment variable (`SAMVERKAN_…`).

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};

mod open_data;
pub use open_data::OpenDataArgs;

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
    Serve(Box<ServeArgs>),
    /// Load the demo data (made from the seeds) into the store and exit. Loading twice changes nothing.
    Seed(DataArgs),
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Mint a development token (HS256) with the locally configured key:
    /// `<data-dir>/dev-jwt.key` (created if missing) or `--jwt-hs256-secret-file`.
    Token(TokenArgs),
    /// Print the public keys the server publishes: the Ed25519 key that signs
    /// the log's checkpoints (`<data-dir>/checkpoint-ed25519.key`, created if missing).
    Keys(KeysArgs),
    /// Walk the log's hash chain and signed checkpoints and report the first
    /// broken link (position and what differs); exits non-zero if there is one.
    /// `--export FILE` also writes the log and checkpoints as JSON Lines for
    /// an independent verifier (infra/scripts/verify_chain.py).
    Verify(VerifyArgs),
    /// Copy the event log from one store to another (same streams, versions,
    /// event ids, types, bodies, metadata and recorded times, in log order),
    /// then verify both. Resumable: run it again after an interruption. The
    /// target must be empty or hold the beginning of the source's log.
    Migrate(MigrateArgs),
    /// Write the whole log as CloudEvents 1.0 JSON Lines (events in log
    /// order, then the signed checkpoints) to `--output` or stdout,
    /// streaming, with a progress bar on a terminal.
    Export(ExportArgs),
    /// Read an export (`samverkan export`) into an empty store: the same
    /// events at the same positions, the hash chain reproduced bit for bit
    /// (checked link by link), the checkpoints recorded.
    Import(ImportArgs),
    /// Measure the real server under load: start it on port 0 (embedded
    /// store in a scratch directory, demo data), drive the GraphQL queries
    /// and `planMilestone` mutations over HTTP, and print rate, p50 and p99
    /// beside a bare axum handler answering the same bytes and the store's
    /// own append rate, measured in the same run. See docs/benchmarks.md.
    Loadgen(LoadgenArgs),
}

#[derive(Debug, Clone, Args)]
pub struct LoadgenArgs {
    /// Concurrent keep-alive connections (and writers of the store yardstick).
    #[arg(long, default_value_t = 64, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    pub connections: usize,
    /// Seconds each query workload (and the store yardstick) runs.
    #[arg(long, default_value_t = 5.0)]
    pub seconds: f64,
    /// Requests in each mutation run (short streams, long, long, short, then
    /// two more on long streams with a projection snapshot written meanwhile).
    #[arg(long, default_value_t = 4000, value_parser = clap::value_parser!(u64).range(1..))]
    pub mutations: u64,
    /// How many projects receive the mutations of each run, in each of two
    /// sets (short streams, long streams): the demo's active ones, and
    /// projects registered (not timed) until there are twice this many. The
    /// default spreads a run over as many streams as the store's yardstick has
    /// writers; a small number measures commands contending for a few streams.
    #[arg(long, default_value_t = 64, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100))]
    pub projects: usize,
    /// How many times longer the long streams are than the short ones (at
    /// their longest, after the last short-stream run).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub grow: u64,
    /// Where the scratch directory goes (default: the system temp dir); removed at the end.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// Where the data lives.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Data directory: the embedded event store, projection snapshot and
    /// process-manager checkpoint live here.
    #[arg(long, env = "SAMVERKAN_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Event store: `sqlite:<file>` (relative to the data directory; default
    /// `sqlite:events.sqlite`), a PostgreSQL URL
    /// (`postgres://user@host:5432/database`) or a KurrentDB connection string
    /// (`kurrentdb://host:2113?tls=false`, needs the `kurrentdb` build feature).
    #[arg(long, env = "SAMVERKAN_STORE_URL")]
    pub store_url: Option<String>,
}

/// `samverkan keys`.
#[derive(Debug, Clone, Args)]
pub struct KeysArgs {
    /// Data directory holding the checkpoint key.
    #[arg(long, env = "SAMVERKAN_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// The checkpoint signing key file (default `<data-dir>/checkpoint-ed25519.key`).
    #[arg(long, env = "SAMVERKAN_CHECKPOINT_KEY_FILE")]
    pub checkpoint_key_file: Option<PathBuf>,
}

/// `samverkan verify`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub data: DataArgs,

    /// Trust checkpoints signed with this Ed25519 public key (hex, as
    /// `samverkan keys` prints it); may be given more than once. Default:
    /// the data directory's checkpoint key if it is there; without either,
    /// the chain is walked and the keys printed, but `verify` exits 2
    /// (nothing trusted proves the checkpoints).
    #[arg(long)]
    pub public_key: Vec<String>,

    /// The checkpoint signing key file whose public key to trust (default
    /// `<data-dir>/checkpoint-ed25519.key`).
    #[arg(long, env = "SAMVERKAN_CHECKPOINT_KEY_FILE")]
    pub checkpoint_key_file: Option<PathBuf>,

    /// Also write every event's canonical fields and link, and every
    /// checkpoint, to this file as JSON Lines (docs/operations.md).
    #[arg(long)]
    pub export: Option<PathBuf>,

    /// Published checkpoints to hold the log to, besides the store's own: a
    /// JSON Lines file with `"kind": "checkpoint"` lines as `--export`
    /// writes them (other lines are ignored); may be given more than once.
    /// A log rewritten and re-linked after its checkpoints were deleted
    /// still fails against the copies published before.
    #[arg(long)]
    pub checkpoint: Vec<PathBuf>,
}

/// When the server signs checkpoints of the log.
#[derive(Debug, Clone, Args)]
pub struct CheckpointArgs {
    /// The checkpoint signing key file (Ed25519 seed in hex; default
    /// `<data-dir>/checkpoint-ed25519.key`, created on first start).
    #[arg(long, env = "SAMVERKAN_CHECKPOINT_KEY_FILE")]
    pub checkpoint_key_file: Option<PathBuf>,

    /// Sign a checkpoint when the log has grown this many events past the last one.
    #[arg(long, env = "SAMVERKAN_CHECKPOINT_EVERY", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    pub checkpoint_every: u64,

    /// Sign a checkpoint when the last one is this many seconds old and events came since (default: daily).
    #[arg(long, env = "SAMVERKAN_CHECKPOINT_INTERVAL_SECS", default_value_t = 86_400,
          value_parser = clap::value_parser!(u64).range(1..=31 * 86_400))]
    pub checkpoint_interval_secs: u64,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataArgs,

    #[command(flatten)]
    pub checkpoints: CheckpointArgs,

    /// Address to listen on; port 0 picks a free port (the real one is printed).
    #[arg(long, env = "SAMVERKAN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// Load the demo data before serving (idempotent).
    #[arg(long, env = "SAMVERKAN_DEMO")]
    pub demo: bool,

    /// Publish open data without a token: the DCAT-AP-SE catalogue at
    /// `/open-data/catalog.jsonld` and its CSV/JSON distributions (public
    /// projects and grants, never drafts). Off by default (404), also with `--demo`.
    #[arg(long, env = "SAMVERKAN_PUBLISH_OPEN_DATA")]
    pub publish_open_data: bool,

    /// How often the read models are snapshotted while they change, in
    /// seconds (e.g. `10` or `0.5`). Each snapshot appends the events
    /// applied since the last one; see docs/operations.md.
    #[arg(long, env = "SAMVERKAN_SNAPSHOT_EVERY", default_value = "10", value_parser = parse_seconds)]
    pub snapshot_every: std::time::Duration,

    /// The public base URL the open-data catalogue's links start with, e.g.
    /// `https://samverkan.example.se` (default: `http://` and the request's Host).
    #[arg(long, env = "SAMVERKAN_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,

    #[command(flatten)]
    pub open_data: OpenDataArgs,

    #[command(flatten)]
    pub auth: AuthArgs,

    #[command(flatten)]
    pub connections: ConnectionArgs,

    /// INSECURE, development only: no authentication at all, every request is
    /// the administrator `dev`. Off by default; cannot be combined with JWT keys.
    #[arg(
        long,
        env = "SAMVERKAN_INSECURE_DEV_AUTH",
        default_value_t = false,
        action = ArgAction::Set,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        conflicts_with_all = ["jwt_hs256_secret_file", "jwt_public_key_pem", "jwks_file", "jwks_url", "oidc_issuer"]
    )]
    pub insecure_dev_auth: bool,

    /// Log lines on stderr: `human` or `json` (one object per line, with the
    /// request's `trace_id`). Traces and metrics: see docs/operations.md.
    #[arg(long, env = "SAMVERKAN_LOG_FORMAT", value_enum, default_value_t = crate::telemetry::LogFormat::Human)]
    pub log_format: crate::telemetry::LogFormat,
}

/// Limits on the connections the server keeps open (slow or greedy clients).
#[derive(Debug, Clone, Args)]
pub struct ConnectionArgs {
    /// Seconds a client has to send a complete request head (request line
    /// and headers); also the longest idle time of a keep-alive connection.
    #[arg(long, env = "SAMVERKAN_HEADER_READ_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_read_timeout_secs: u64,

    /// Open connections in all (websockets included); more are answered
    /// `503` and closed at once.
    #[arg(long, env = "SAMVERKAN_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,

    /// Open connections from one client address (IPv6: one /64); `0` turns
    /// the per-address cap off (behind a reverse proxy every connection
    /// comes from the proxy).
    #[arg(long, env = "SAMVERKAN_MAX_CONNECTIONS_PER_PEER", default_value_t = 64,
          value_parser = clap::value_parser!(u64).range(0..=1_000_000))]
    pub max_connections_per_peer: u64,
}

impl From<ConnectionArgs> for crate::listener::ConnectionLimits {
    fn from(a: ConnectionArgs) -> Self {
        Self {
            header_read_timeout: std::time::Duration::from_secs(a.header_read_timeout_secs),
            max_connections: usize::try_from(a.max_connections).unwrap_or(usize::MAX),
            max_connections_per_peer: usize::try_from(a.max_connections_per_peer).unwrap_or(usize::MAX),
        }
    }
}

/// How bearer tokens (JWTs) are verified. With no key given, the server uses
/// (creating it on first start) the development HS256 key
/// `<data-dir>/dev-jwt.key`. Several kinds of key may be given together.
#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    /// HS256: a file holding the shared secret (at least 32 bytes; surrounding
    /// whitespace is ignored).
    #[arg(long, env = "SAMVERKAN_JWT_HS256_SECRET_FILE")]
    pub jwt_hs256_secret_file: Option<PathBuf>,

    /// RS256/ES256: a PEM file with one or more public keys (`PUBLIC KEY`;
    /// RSA keys verify RS256, EC P-256 keys ES256).
    #[arg(long, env = "SAMVERKAN_JWT_PUBLIC_KEY_PEM")]
    pub jwt_public_key_pem: Option<PathBuf>,

    /// RS256/ES256: a JWKS file (`{"keys":[…]}`, as an identity provider
    /// publishes it), read at start; the token's `kid` selects the key.
    #[arg(long, env = "SAMVERKAN_JWKS_FILE")]
    pub jwks_file: Option<PathBuf>,

    /// RS256/ES256: the JWKS URL of an identity provider. The keys are fetched
    /// at start (the server does not start without them), refreshed every
    /// `--jwks-refresh-secs` and early when a token names an unknown `kid`;
    /// if the provider is down, the cached keys stay in force.
    #[arg(long, env = "SAMVERKAN_JWKS_URL", conflicts_with = "oidc_issuer")]
    pub jwks_url: Option<String>,

    /// RS256/ES256: an OpenID Connect issuer URL. Its JWKS URL is read from
    /// `<issuer>/.well-known/openid-configuration` at start (then as
    /// `--jwks-url`), and tokens must name it as `iss` unless `--jwt-issuer`
    /// says otherwise.
    #[arg(long, env = "SAMVERKAN_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,

    /// The longest time between two fetches of the JWKS URL, in seconds
    /// (sooner if the provider's `Cache-Control: max-age` says so, but not
    /// more often than once a minute).
    #[arg(long, env = "SAMVERKAN_JWKS_REFRESH_SECS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..=7 * 24 * 3600))]
    pub jwks_refresh_secs: u64,

    /// The shortest time between two early fetches caused by tokens naming
    /// an unknown `kid`, in seconds (so that made-up `kid`s cannot make the
    /// server hammer the provider).
    #[arg(long, env = "SAMVERKAN_JWKS_MIN_REFRESH_GAP_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=24 * 3600))]
    pub jwks_min_refresh_gap_secs: u64,

    /// The issuer (`iss`) tokens must name (default: the `--oidc-issuer`, else `samverkan`).
    #[arg(long, env = "SAMVERKAN_JWT_ISSUER")]
    pub jwt_issuer: Option<String>,

    /// The audience (`aud`) tokens must name.
    #[arg(long, env = "SAMVERKAN_JWT_AUDIENCE", default_value = "samverkan")]
    pub jwt_audience: String,
}

/// `samverkan migrate`.
#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    /// The store to copy from, as `--store-url` takes it (`sqlite:<file>`,
    /// `kurrentdb://…`). Stop the servers writing to it first.
    #[arg(long, env = "SAMVERKAN_MIGRATE_FROM")]
    pub from: String,

    /// The store to copy to: empty, or holding the beginning of the source's
    /// log (an interrupted migration), else it is refused untouched.
    #[arg(long, env = "SAMVERKAN_MIGRATE_TO")]
    pub to: String,

    /// Relative `sqlite:` paths are inside this directory.
    #[arg(long, env = "SAMVERKAN_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Events per batch (one read, one import transaction).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub batch_size: u64,
}

/// `samverkan export`.
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub data: DataArgs,

    /// The file to write (created `0600`: it holds every body, drafts and
    /// personal data included); `-` or none: stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// `samverkan import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub data: DataArgs,

    /// The export to read (CloudEvents JSON Lines from `samverkan export`).
    pub input: PathBuf,
}

/// A role a development token grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// Everything.
    Admin,
    /// Runs one consortium (`--consortium`).
    Coordinator,
    /// Acts for one municipality (`--municipality`).
    Officer,
    /// Reads (optionally as one municipality: `--municipality`).
    Reader,
}

#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// The role the token grants.
    #[arg(long, value_enum)]
    pub role: RoleArg,

    /// The municipality of an officer (or a reader), e.g. `SE-1494`.
    #[arg(long)]
    pub municipality: Option<String>,

    /// The consortium of a coordinator, e.g. `V6`.
    #[arg(long)]
    pub consortium: Option<String>,

    /// The token's subject (`sub`), recorded as the actor of every event it
    /// causes; default `dev-<role>[-<scope>]`.
    #[arg(long)]
    pub subject: Option<String>,

    /// How long the token is valid, in hours.
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u64).range(1..=24 * 366))]
    pub ttl_hours: u64,

    /// Data directory holding the development key `dev-jwt.key`.
    #[arg(long, env = "SAMVERKAN_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

    /// Sign with this HS256 secret instead of the data directory's development key.
    #[arg(long, env = "SAMVERKAN_JWT_HS256_SECRET_FILE")]
    pub jwt_hs256_secret_file: Option<PathBuf>,

    /// The issuer (`iss`) to write.
    #[arg(long, env = "SAMVERKAN_JWT_ISSUER", default_value = "samverkan")]
    pub jwt_issuer: String,

    /// The audience (`aud`) to write.
    #[arg(long, env = "SAMVERKAN_JWT_AUDIENCE", default_value = "samverkan")]
    pub jwt_audience: String,
}

/// An absolute `http(s)://host[...]` URL without query or fragment.
/// A number of seconds, more than 0 and at most a day.
fn parse_seconds(s: &str) -> Result<std::time::Duration, String> {
    match s.trim().parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 && secs <= 86_400.0 => Ok(std::time::Duration::from_secs_f64(secs)),
        _ => Err(format!(
            "`{s}` is not a number of seconds between 0 (not included) and 86400"
        )),
    }
}

fn parse_public_url(s: &str) -> Result<String, String> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(|| format!("the public URL must start with https:// or http://, not `{s}`"))?;
    if rest.is_empty() || rest.starts_with('/') || s.contains(['?', '#', ' ', '"', '<', '>']) {
        return Err(format!(
            "`{s}` is not an absolute URL with a host (and no query or fragment)"
        ));
    }
    Ok(s.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests;

//! Open the event store named by `--store-url`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context};
use samverkan_eventstore::subject_keys::SqliteSubjectKeys;
use samverkan_eventstore::{EventStore, PgStore, SqliteStore, SubjectKeyStore};

/// The embedded store's file in the data directory.
pub const DEFAULT_SQLITE_FILE: &str = "events.sqlite";

const POSTGRES_SCHEMES: [&str; 2] = ["postgres://", "postgresql://"];

const KURRENT_SCHEMES: [&str; 4] = ["kurrentdb://", "kurrentdb+discover://", "esdb://", "esdb+discover://"];

/// Which store a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// The embedded SQLite store in this file.
    Sqlite(PathBuf),
    /// A PostgreSQL URL (may hold credentials: never print it).
    Postgres(String),
    /// A KurrentDB/EventStoreDB connection string (may hold credentials: never print it).
    Kurrent(String),
}

impl StoreLocation {
    /// Parse `--store-url`; relative SQLite paths are inside `data_dir`.
    pub fn parse(url: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(Self::Sqlite(data_dir.join(DEFAULT_SQLITE_FILE)));
        };
        if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if path.is_empty() {
                bail!("the store URL `sqlite:` needs a file name, e.g. `sqlite:events.sqlite`");
            }
            let path = Path::new(path);
            return Ok(Self::Sqlite(if path.is_absolute() {
                path.to_path_buf()
            } else {
                data_dir.join(path)
            }));
        }
        if POSTGRES_SCHEMES.iter().any(|s| url.starts_with(s)) {
            return Ok(Self::Postgres(url.to_string()));
        }
        if KURRENT_SCHEMES.iter().any(|s| url.starts_with(s)) {
            return Ok(Self::Kurrent(url.to_string()));
        }
        let scheme = url.split_once(':').map_or(url, |(s, _)| s);
        bail!("unsupported store URL scheme `{scheme}`: use `sqlite:<file>`, `postgres://…` or `kurrentdb://…`")
    }

    /// A description safe to log (no credentials).
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(p) => format!("embedded SQLite store {}", p.display()),
            Self::Postgres(url) => samverkan_eventstore::postgres::describe_url(url),
            Self::Kurrent(url) => {
                let host = url.split_once("://").map(|(_, rest)| rest).unwrap_or_default();
                let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
                let host = host.split(['/', '?']).next().unwrap_or_default();
                format!("KurrentDB at {host}")
            }
        }
    }
}

/// The personal-data key store's file in the data directory (for the
/// embedded and the KurrentDB store; PostgreSQL keeps the keys in its database).
pub const SUBJECT_KEYS_FILE: &str = "subject-keys.sqlite";

/// Open the store and its personal-data key store (docs/operations.md,
/// "Erasing personal data"): with PostgreSQL a table in the same database,
/// shared by every server on it; else [`SUBJECT_KEYS_FILE`] in `data_dir`.
pub async fn open_with_keys(
    location: &StoreLocation,
    data_dir: &Path,
) -> anyhow::Result<(Arc<dyn EventStore>, Arc<dyn SubjectKeyStore>)> {
    if let StoreLocation::Postgres(url) = location {
        let store = PgStore::connect(url)
            .await
            .with_context(|| format!("cannot open the event store in the {}", location.describe()))?;
        let keys = store
            .subject_keys()
            .await
            .with_context(|| format!("cannot open the personal-data key store in the {}", location.describe()))?;
        return Ok((Arc::new(store), Arc::new(keys)));
    }
    let store = open(location).await?;
    crate::datadir::create(data_dir)?;
    let path = data_dir.join(SUBJECT_KEYS_FILE);
    let keys = SqliteSubjectKeys::open(&path)
        .with_context(|| format!("cannot open the personal-data key store {}", path.display()))?;
    Ok((store, Arc::new(keys)))
}

/// Open the store (connect, for a server). Inside the Tokio runtime.
pub async fn open(location: &StoreLocation) -> anyhow::Result<Arc<dyn EventStore>> {
    match location {
        StoreLocation::Sqlite(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                crate::datadir::create(dir)?;
            }
            let store =
                SqliteStore::open(path).with_context(|| format!("cannot open the event store {}", path.display()))?;
            Ok(Arc::new(store))
        }
        StoreLocation::Postgres(url) => {
            let store = PgStore::connect(url)
                .await
                .with_context(|| format!("cannot open the event store in the {}", location.describe()))?;
            Ok(Arc::new(store))
        }
        StoreLocation::Kurrent(url) => open_kurrent(url),
    }
}

#[cfg(feature = "kurrentdb")]
fn open_kurrent(url: &str) -> anyhow::Result<Arc<dyn EventStore>> {
    let store = samverkan_eventstore::KurrentStore::connect(url).context("cannot connect to KurrentDB")?;
    Ok(Arc::new(store))
}

#[cfg(not(feature = "kurrentdb"))]
fn open_kurrent(_url: &str) -> anyhow::Result<Arc<dyn EventStore>> {
    bail!("this build of samverkan has no KurrentDB support: rebuild with `cargo build -p samverkan-server --features kurrentdb`, or use the embedded store (leave out --store-url)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_urls() {
        let dir = Path::new("/data");
        assert_eq!(
            StoreLocation::parse(None, dir).unwrap(),
            StoreLocation::Sqlite("/data/events.sqlite".into())
        );
        assert_eq!(
            StoreLocation::parse(Some("sqlite:x.db"), dir).unwrap(),
            StoreLocation::Sqlite("/data/x.db".into())
        );
        assert_eq!(
            StoreLocation::parse(Some("sqlite:///tmp/y.db"), dir).unwrap(),
            StoreLocation::Sqlite("/tmp/y.db".into())
        );
        let k = StoreLocation::parse(Some("kurrentdb://admin:secret@db1:2113?tls=false"), dir).unwrap();
        assert_eq!(k.describe(), "KurrentDB at db1:2113");
        assert!(!k.describe().contains("secret"));
        let pg = StoreLocation::parse(Some("postgres://app:secret@db1:5433/samverkan"), dir).unwrap();
        assert_eq!(
            pg,
            StoreLocation::Postgres("postgres://app:secret@db1:5433/samverkan".into())
        );
        assert_eq!(pg.describe(), "PostgreSQL database `samverkan` on db1:5433");
        assert!(!pg.describe().contains("secret"));
        assert!(matches!(
            StoreLocation::parse(Some("postgresql://localhost/x"), dir).unwrap(),
            StoreLocation::Postgres(_)
        ));
        assert!(StoreLocation::parse(Some("mysql://x"), dir).is_err());
        assert!(StoreLocation::parse(Some("sqlite:"), dir).is_err());
    }

    #[cfg(not(feature = "kurrentdb"))]
    #[test]
    fn kurrent_without_the_feature_is_a_clear_error() {
        let err = futures::executor::block_on(open(&StoreLocation::Kurrent("kurrentdb://localhost:2113".into())))
            .err()
            .unwrap();
        assert!(err.to_string().contains("--features kurrentdb"), "{err}");
    }
}

//! Throw-away PostgreSQL servers for tests: `initdb` into a temp dir (as the
//! `postgres` OS user when we run as root: `initdb` refuses root), started
//! with `pg_ctl` on a free loopback port, stopped and removed on drop — or,
//! for a server kept in a `static`, when the test process exits (a small
//! shell watches a pipe from us and cleans up when it closes).
//!
//! Binaries come from `/usr/lib/postgresql/*/bin` (the newest), or from
//! `SAMVERKAN_PG_BIN`. Under `CI=true` a server that cannot start fails the
//! test ([`PgServer::shared_or_skip`] panics); elsewhere the test may skip
//! with a printed reason.
//!
//! Test support, not part of the port: errors are `String`s and the
//! helpers panic where a test would.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A running throw-away PostgreSQL server.
pub struct PgServer {
    dir: PathBuf,
    data: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
    /// The cleanup shell; closing its stdin stops the server and removes `dir`.
    cleanup: Mutex<Option<Child>>,
}

impl std::fmt::Debug for PgServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgServer")
            .field("port", &self.port)
            .field("dir", &self.dir)
            .finish()
    }
}

/// Whether tests must fail rather than skip when a service is missing.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Under `CI=true`: panics with `reason`. Otherwise prints it and returns `None`.
pub fn skip_or_fail<T>(reason: &str) -> Option<T> {
    if in_ci() {
        panic!("PostgreSQL tests must run under CI=true, but the server cannot start: {reason}");
    }
    eprintln!("skipping a PostgreSQL test: {reason}");
    None
}

fn bin_dir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("SAMVERKAN_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| {
            format!("no PostgreSQL server binaries in /usr/lib/postgresql ({e}); install the `postgresql` package")
        })?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| "no initdb under /usr/lib/postgresql/*/bin; install the `postgresql` package".into())
}

fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn run(mut cmd: Command, what: &str) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{what}: cannot run: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

impl PgServer {
    /// The server of this test binary, started on first use and shared by
    /// its tests; `None` (skip) when it cannot start outside CI.
    pub fn shared_or_skip() -> Option<&'static PgServer> {
        static SHARED: OnceLock<Result<PgServer, String>> = OnceLock::new();
        match SHARED.get_or_init(|| PgServer::start(&[])) {
            Ok(server) => Some(server),
            Err(reason) => skip_or_fail(reason),
        }
    }

    /// A server of its own (stopped on drop); `None` (skip) outside CI when
    /// it cannot start.
    pub fn start_or_skip(settings: &[&str]) -> Option<PgServer> {
        match PgServer::start(settings) {
            Ok(server) => Some(server),
            Err(reason) => skip_or_fail(&reason),
        }
    }

    /// Starts a fresh server; `settings` are extra `postgresql.conf` lines.
    pub fn start(settings: &[&str]) -> Result<PgServer, String> {
        let mut server = Self::create()?;
        let mut initdb = server.as_user(&server.bin.join("initdb"));
        initdb.arg("-D").arg(&server.data).args([
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        ]);
        run(initdb, "initdb")?;
        let mut conf = vec![
            "listen_addresses = '127.0.0.1'".to_string(),
            "max_connections = 300".into(),
            "shared_buffers = 64MB".into(),
            "max_wal_senders = 4".into(),
            "wal_level = replica".into(),
        ];
        conf.extend(settings.iter().map(|s| s.to_string()));
        server.configure(&conf)?;
        server.pg_ctl_start()?;
        Ok(server)
    }

    /// Paths, port and the cleanup shell, before any server exists.
    fn create() -> Result<PgServer, String> {
        let bin = bin_dir()?;
        let as_postgres = running_as_root();
        let dir = std::env::temp_dir().join(format!("samverkan-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| e.to_string())?;
        }
        if as_postgres {
            let mut chown = Command::new("chown");
            chown.arg("postgres:postgres").arg(&dir);
            run(chown, "chown postgres")?;
        }
        let data = dir.join("data");
        let pg_ctl = bin.join("pg_ctl");
        let prefix = if as_postgres { "runuser -u postgres -- " } else { "" };
        let script =
            format!(r#"read _ignored; {prefix}"$0" -D "$1" -m immediate -w stop >/dev/null 2>&1; rm -rf "$2""#);
        let cleanup = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(&pg_ctl)
            .arg(&data)
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the cleanup shell: {e}"))?;
        Ok(PgServer {
            dir,
            data,
            bin,
            port: free_port()?,
            as_postgres,
            cleanup: Mutex::new(Some(cleanup)),
        })
    }

    fn as_user(&self, program: &Path) -> Command {
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(program);
            cmd
        } else {
            Command::new(program)
        }
    }

    fn configure(&self, lines: &[String]) -> Result<(), String> {
        let mut all = lines.to_vec();
        all.push(format!("port = {}", self.port));
        all.push(format!("unix_socket_directories = '{}'", self.dir.display()));
        let path = self.data.join("postgresql.auto.conf");
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        writeln!(file, "\n{}", all.join("\n")).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(())
    }

    /// Starts the server; if another process took the port meanwhile (it
    /// was free when picked), tries again on another one.
    fn pg_ctl_start(&mut self) -> Result<(), String> {
        let mut attempts = 0;
        loop {
            let mut start = self.as_user(&self.bin.join("pg_ctl"));
            start
                .arg("-D")
                .arg(&self.data)
                .arg("-l")
                .arg(self.dir.join("log"))
                .args(["-w", "-t", "60", "start"]);
            match run(start, "pg_ctl start") {
                Ok(_) => return Ok(()),
                Err(e) => {
                    let log = self.log_tail();
                    attempts += 1;
                    if attempts < 5 && log.contains("Address already in use") {
                        self.port = free_port()?;
                        self.configure(&[])?;
                        continue;
                    }
                    return Err(format!("{e}\nserver log:\n{log}"));
                }
            }
        }
    }

    /// The last lines of the server log.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgres://postgres@127.0.0.1:<port>/<database>`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Runs SQL with `psql` in `database`; returns its unaligned output.
    pub fn psql(&self, database: &str, sql: &str) -> Result<String, String> {
        let mut psql = Command::new(self.bin.join("psql"));
        psql.args([
            "-X",
            "-A",
            "-t",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
        ])
        .arg("-p")
        .arg(self.port.to_string())
        .arg("-d")
        .arg(database)
        .arg("-c")
        .arg(sql);
        run(psql, "psql").map(|s| s.trim().to_owned())
    }

    /// A new empty database; returns its URL.
    pub fn fresh_database(&self, prefix: &str) -> String {
        let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple()).to_lowercase();
        self.psql("postgres", &format!("CREATE DATABASE \"{name}\""))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        self.url(&name)
    }

    /// The postmaster's process id.
    pub fn postmaster_pid(&self) -> Result<u32, String> {
        let pidfile = std::fs::read_to_string(self.data.join("postmaster.pid")).map_err(|e| e.to_string())?;
        pidfile
            .lines()
            .next()
            .and_then(|l| l.trim().parse().ok())
            .ok_or_else(|| "postmaster.pid has no pid".into())
    }

    /// Kills the server as a dying machine would: SIGKILL to the postmaster
    /// and every process it started, no shutdown, no checkpoint.
    pub fn kill_9(&self) -> Result<(), String> {
        let pid = self.postmaster_pid()?;
        let mut pids = vec![pid];
        for entry in std::fs::read_dir("/proc").map_err(|e| e.to_string())?.flatten() {
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // pid (comm) state ppid ...
            let after_comm = stat.rfind(')').map(|i| &stat[i + 2..]).unwrap_or("");
            let ppid: Option<u32> = after_comm.split(' ').nth(1).and_then(|p| p.parse().ok());
            if ppid == Some(pid) {
                if let Some(child) = entry.file_name().to_str().and_then(|s| s.parse().ok()) {
                    pids.push(child);
                }
            }
        }
        let mut kill = Command::new("kill");
        kill.arg("-9").args(pids.iter().map(u32::to_string));
        run(kill, "kill -9").map(|_| ())
    }

    /// A hot standby of this server, streaming from it, made with
    /// `pg_basebackup -R`; this server then waits for it on every commit
    /// (`synchronous_standby_names`). Returns once it is in sync.
    pub fn start_sync_standby(&self, name: &str) -> Result<PgServer, String> {
        let mut standby = Self::create()?;
        let mut backup = standby.as_user(&self.bin.join("pg_basebackup"));
        backup
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-X",
                "stream",
                "-R",
                "--checkpoint=fast",
                "--no-sync",
            ])
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-D")
            .arg(&standby.data);
        run(backup, "pg_basebackup")?;
        standby.configure(&[
            format!(
                "primary_conninfo = 'host=127.0.0.1 port={} user=postgres application_name={name}'",
                self.port
            ),
            // For after a promotion: nobody to wait for.
            "synchronous_standby_names = ''".into(),
        ])?;
        standby.pg_ctl_start()?;
        self.psql(
            "postgres",
            &format!("ALTER SYSTEM SET synchronous_standby_names = '\"{name}\"'"),
        )?;
        self.psql("postgres", "SELECT pg_reload_conf()")?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let state = self.psql(
                "postgres",
                &format!("SELECT sync_state FROM pg_stat_replication WHERE application_name = '{name}'"),
            )?;
            if state == "sync" {
                return Ok(standby);
            }
            if Instant::now() > deadline {
                return Err(format!("the standby is not in sync after 60 s (state `{state}`)"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Promotes this standby to primary; returns once it accepts writes.
    pub fn promote(&self) -> Result<(), String> {
        let mut promote = self.as_user(&self.bin.join("pg_ctl"));
        promote.arg("-D").arg(&self.data).args(["-w", "-t", "60", "promote"]);
        run(promote, "pg_ctl promote")?;
        Ok(())
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let child = self.cleanup.get_mut().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(mut child) = child {
            // Closing stdin lets the shell stop the server and remove the dir.
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

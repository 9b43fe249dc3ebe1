use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use uuid::Uuid;

pub const BIN: &str = env!("CARGO_BIN_EXE_samverkan");

/// A running `samverkan serve`.
pub struct Server {
    child: Child,
    /// The GraphQL endpoint, as printed (`http://127.0.0.1:<port>/graphql`).
    pub url: String,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Everything printed on stdout so far.
    pub stdout: Arc<Mutex<Vec<String>>>,
    pub stderr: Arc<Mutex<String>>,
    /// The data directory (it holds the development key `dev-jwt.key`).
    pub data_dir: PathBuf,
    /// The HS256 secret file the server was started with, if any.
    pub secret_file: Option<PathBuf>,
    /// An administrator token (subject `dev-admin`) that [`Server::gql`]
    /// sends; `None` when the server cannot verify HS256 tokens minted here
    /// (public keys only, or `--insecure-dev-auth`).
    pub admin_token: Option<String>,
}

/// The value of `--flag value` or `--flag=value` among `args`.
fn flag_value(args: &[&str], flag: &str) -> Option<String> {
    let prefix = format!("{flag}=");
    args.iter().enumerate().find_map(|(i, a)| {
        if *a == flag {
            args.get(i + 1).map(|v| v.to_string())
        } else {
            a.strip_prefix(&prefix).map(str::to_string)
        }
    })
}

/// `samverkan token --data-dir <dir> [--jwt-hs256-secret-file <file>] <args>`:
/// a token minted with the server's HS256 key.
pub fn mint_token(data_dir: &Path, secret_file: Option<&Path>, args: &[&str]) -> String {
    let mut command = Command::new(BIN);
    command.arg("token").arg("--data-dir").arg(data_dir).args(args);
    if let Some(file) = secret_file {
        command.arg("--jwt-hs256-secret-file").arg(file);
    }
    let out = command
        .env("RUST_LOG", "off")
        .env_remove("SAMVERKAN_JWT_HS256_SECRET_FILE")
        .output()
        .expect("run samverkan token");
    assert!(
        out.status.success(),
        "samverkan token {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn drain_lines(out: impl Read + Send + 'static, tx: Option<mpsc::Sender<String>>, sink: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Ok(mut s) = sink.lock() {
                s.push(line.clone());
            }
            if let Some(tx) = &tx {
                let _ = tx.send(line);
            }
        }
    });
}

/// Start `samverkan serve --listen 127.0.0.1:0 --data-dir <dir> <extra>` and
/// wait for it to print its GraphiQL URL.
pub fn spawn(dir: &Path, extra: &[&str]) -> Server {
    spawn_with_env(dir, extra, &[])
}

/// [`spawn`] with extra environment variables (set after the defaults, so
/// `RUST_LOG` can be overridden).
pub fn spawn_with_env(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .args(extra)
        .env("RUST_LOG", "warn")
        .env_remove("SAMVERKAN_STORE_URL")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start samverkan");
    let (tx, rx) = mpsc::channel();
    let stdout = Arc::new(Mutex::new(vec![]));
    drain_lines(child.stdout.take().expect("stdout"), Some(tx), stdout.clone());
    let stderr = Arc::new(Mutex::new(String::new()));
    {
        let stderr = stderr.clone();
        let mut err = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut s) = stderr.lock() {
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
    }
    let deadline = Instant::now() + Duration::from_secs(90);
    let url = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                if let Some(url) = line.strip_prefix("GraphiQL: ") {
                    break url.trim().to_string();
                }
            }
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "the server did not print its URL; stderr:\n{}",
                    stderr.lock().map(|s| s.clone()).unwrap_or_default()
                );
            }
        }
    };
    let base = url.strip_suffix("/graphql").expect("URL ends in /graphql").to_string();
    let secret_file = flag_value(extra, "--jwt-hs256-secret-file").map(PathBuf::from);
    let only_public_keys = secret_file.is_none()
        && ["--jwt-public-key-pem", "--jwks-file", "--jwks-url", "--oidc-issuer"]
            .iter()
            .any(|f| flag_value(extra, f).is_some());
    let insecure = extra
        .iter()
        .any(|a| *a == "--insecure-dev-auth" || *a == "--insecure-dev-auth=true");
    let admin_token =
        (!only_public_keys && !insecure).then(|| mint_token(dir, secret_file.as_deref(), &["--role", "admin"]));
    Server {
        child,
        url,
        base,
        stdout,
        stderr,
        data_dir: dir.to_path_buf(),
        secret_file,
        admin_token,
    }
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Send SIGTERM (through `kill`, no unsafe code) and wait for the exit.
    pub fn terminate(mut self) -> ExitStatus {
        self.stop()
    }

    /// As [`Server::terminate`], keeping the server's captured output: waits
    /// until its standard error has been read to the end.
    pub fn stop(&mut self) -> ExitStatus {
        let status = self.signal_and_wait();
        // The reader threads see the end of the pipes just after the exit.
        let mut last = usize::MAX;
        for _ in 0..50 {
            let now = self.stderr_text().len();
            if now == last {
                break;
            }
            last = now;
            std::thread::sleep(Duration::from_millis(100));
        }
        status
    }

    fn signal_and_wait(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop within 30 s after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn stdout_text(&self) -> String {
        self.stdout.lock().map(|s| s.join("\n")).unwrap_or_default()
    }

    pub fn stderr_text(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// POST a GraphQL request as the administrator; returns the JSON body.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.post(
            self.admin_token.as_deref(),
            json!({ "query": query, "variables": variables }),
        )
        .await
        .1
    }

    /// POST a GraphQL request with `token` as the bearer; returns the JSON body.
    pub async fn gql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        self.post(Some(token), json!({ "query": query, "variables": variables }))
            .await
            .1
    }

    /// POST a JSON body with an optional bearer token; returns status and JSON body.
    pub async fn post(&self, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut request = reqwest::Client::new().post(&self.url).json(&body);
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        let response = request.send().await.expect("POST /graphql");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON answer"))
    }

    /// A token the server accepts, minted by `samverkan token` with the
    /// server's HS256 key: `role` is `admin`, `reader`, `officer` (scope: a
    /// municipality) or `coordinator` (scope: a consortium); readers may
    /// have a municipality.
    pub fn token(&self, role: &str, scope: Option<&str>) -> String {
        let mut args = vec!["--role", role];
        if let Some(scope) = scope {
            args.push(if role == "coordinator" {
                "--consortium"
            } else {
                "--municipality"
            });
            args.push(scope);
        }
        mint_token(&self.data_dir, self.secret_file.as_deref(), &args)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Assert a GraphQL answer has no errors and return its data.
pub fn data(body: &Value) -> &Value {
    assert!(
        body.get("errors").is_none_or(Value::is_null),
        "unexpected errors: {body:#}"
    );
    &body["data"]
}

/// Run a mutation with `token`'s role and a fresh command id; asserts it
/// succeeded and returns `data.<field>` (its `position` and `selection`).
pub async fn mutate_as(
    server: &Server,
    token: &str,
    field: &str,
    input_type: &str,
    input: Value,
    selection: &str,
) -> Value {
    let query = format!(
        "mutation($id: UUID!, $input: {input_type}!) {{ {field}(commandId: $id, input: $input) {{ position {selection} }} }}"
    );
    let body = server
        .gql_as(token, &query, json!({ "id": Uuid::new_v4(), "input": input }))
        .await;
    data(&body)[field].clone()
}

/// `units` whole kronor as a `MoneyInput`.
pub fn money(units: i64) -> Value {
    json!({ "amountMinor": units * 100, "currency": "SEK" })
}

/// An executive-board decision with case number `case`.
pub fn decision(case: &str) -> Value {
    json!({ "body": "EXECUTIVE_BOARD", "date": "2026-03-01", "paragraph": "§ 31", "caseNumber": case })
}

/// A `DraftApplicationInput`: V6's Interreg application led by Lidköping
/// (SE-1494), 3,000,000 SEK budget, 2,400,000 SEK requested.
pub fn draft_application(title: &str) -> Value {
    json!({
        "consortium": "V6",
        "title": title,
        "programme": { "kind": "INTERREG", "name": "Interreg Europe" },
        "call": "Fifth call",
        "leadApplicant": "SE-1494",
        "deadline": "2099-02-15T23:59:59Z",
        "totalBudget": money(3_000_000),
        "requested": money(2_400_000),
        "projectPeriod": { "start": "2027-01-01", "end": "2029-12-31" },
        "euPriorities": ["GREEN"]
    })
}

/// A `RecordRiskAssessmentInput` for application `app`.
pub fn risk_assessment(app: &str) -> Value {
    json!({ "applicationId": app, "benefits": "Fler besökare året runt", "risks": "Personalomsättning", "democracyAndHumanRights": "Alla partner är svenska kommuner med demokratiskt styre", "assessedOn": "2026-03-02" })
}

/// An `ApproveApplicationInput` granting `granted` to application `app`.
pub fn approval(app: &str, granted: Value) -> Value {
    json!({ "applicationId": app, "granted": granted, "decidedOn": "2026-11-20", "decisionReference": "JEMS-IE-0042" })
}

/// Register municipality `code` (`name`) with `token`'s role.
pub async fn register_municipality(server: &Server, token: &str, code: &str, name: &str) {
    let input = json!({ "code": code, "name": name });
    mutate_as(
        server,
        token,
        "registerMunicipality",
        "RegisterMunicipalityInput",
        input,
        "",
    )
    .await;
}

/// Form the V6 consortium (Västra Skaraborg, formed 2010) with `purpose`.
pub async fn form_v6(server: &Server, token: &str, purpose: &str) {
    let input = json!({ "code": "V6", "name": "V6 Västra Skaraborg", "kind": "REGIONAL_COOPERATION", "purpose": purpose, "formedOn": "2010-01-01" });
    mutate_as(server, token, "formConsortium", "FormConsortiumInput", input, "").await;
}

/// `municipality` joins V6 (on 2010-01-01), run with `coordinator`'s token.
pub async fn join_v6(server: &Server, coordinator: &str, municipality: &str) {
    let input = json!({ "consortium": "V6", "municipality": municipality, "joinedOn": "2010-01-01" });
    mutate_as(server, coordinator, "joinConsortium", "JoinConsortiumInput", input, "").await;
}

/// Invite `municipality` as co-applicant of application `app`.
pub async fn invite(server: &Server, coordinator: &str, app: &str, municipality: &str) {
    let input = json!({ "applicationId": app, "municipality": municipality });
    mutate_as(
        server,
        coordinator,
        "inviteCoApplicant",
        "InviteCoApplicantInput",
        input,
        "",
    )
    .await;
}

/// A `CommitCoFinancingInput`: `municipality` commits `units` kronor to
/// application `app` by the executive-board decision `case`.
pub fn co_financing(app: &str, municipality: &str, units: i64, case: &str) -> Value {
    json!({ "applicationId": app, "municipality": municipality, "amount": money(units), "decision": decision(case) })
}

/// Commit co-financing (see [`co_financing`]) with `token`'s role.
pub async fn commit_co_financing(server: &Server, token: &str, input: Value) {
    mutate_as(server, token, "commitCoFinancing", "CommitCoFinancingInput", input, "").await;
}

/// Submit application `app` with `coordinator`'s token.
pub async fn submit(server: &Server, coordinator: &str, app: &str) {
    let input = json!({ "applicationId": app });
    mutate_as(
        server,
        coordinator,
        "submitApplication",
        "SubmitApplicationInput",
        input,
        "",
    )
    .await;
}

/// Record the benefit-and-risk assessment of application `app`.
pub async fn assess_risks(server: &Server, coordinator: &str, app: &str) {
    mutate_as(
        server,
        coordinator,
        "recordRiskAssessment",
        "RecordRiskAssessmentInput",
        risk_assessment(app),
        "",
    )
    .await;
}

/// A Python that can `import <modules>`: the system's `python3`, else a
/// virtual environment `target/<venv>` made with the pinned `requirements`
/// file (a path from the repository's root). `None` (skip) only outside CI.
pub fn python_with(modules: &str, venv: &str, requirements: &str) -> Option<PathBuf> {
    let has = |py: &Path| {
        Command::new(py)
            .args(["-c", &format!("import {modules}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let system = PathBuf::from("python3");
    if has(&system) {
        return Some(system);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = root.join("target").join(venv);
    let py = venv.join("bin/python");
    if !has(&py) {
        let made = Command::new("python3").arg("-m").arg("venv").arg(&venv).status();
        let installed = made.is_ok_and(|s| s.success())
            && Command::new(venv.join("bin/pip"))
                .args(["install", "-q", "--disable-pip-version-check", "-r"])
                .arg(root.join(requirements))
                .status()
                .is_ok_and(|s| s.success());
        if !installed || !has(&py) {
            return samverkan_eventstore::pg_testing::skip_or_fail(&format!(
                "no python3 that can import {modules} (and none could be installed)"
            ));
        }
    }
    Some(py)
}

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

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
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .args(extra)
        .env("RUST_LOG", "warn")
        .env_remove("SAMVERKAN_STORE_URL")
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
    Server {
        child,
        url,
        base,
        stdout,
        stderr,
    }
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Send SIGTERM (through `kill`, no unsafe code) and wait for the exit.
    pub fn terminate(mut self) -> ExitStatus {
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

    /// POST a GraphQL request; returns the JSON body.
    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        reqwest::Client::new()
            .post(&self.url)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql")
            .json()
            .await
            .expect("JSON answer")
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

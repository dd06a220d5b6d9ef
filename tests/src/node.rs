//! Runs a script of `tests/js` with Node and yields its stdout lines (JSON objects).

use std::process::Stdio;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

pub struct Script {
    pub child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

pub fn start(script: &str, args: &[&str]) -> Script {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("js");
    assert!(
        dir.join("node_modules").exists(),
        "run `npm ci` in tests/js first"
    );
    let mut child = Command::new("node")
        .arg(dir.join(script))
        .args(args)
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("node is installed");
    let lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    Script { child, lines }
}

impl Script {
    /// The next line within `wait`, as JSON; `None` when the script printed nothing in time
    /// (or ended).
    pub async fn next_within(&mut self, wait: std::time::Duration) -> Option<Value> {
        let line = tokio::time::timeout(wait, self.lines.next_line())
            .await
            .ok()?
            .ok()??;
        Some(serde_json::from_str(&line).unwrap_or(Value::String(line)))
    }

    /// The next line whose `event` is `event` (20 s at most), failing on an error line.
    pub async fn expect(&mut self, event: &str) -> Value {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.next_line())
                .await
                .unwrap_or_else(|_| panic!("no {event} from the script in time"))
                .expect("read")
                .unwrap_or_else(|| panic!("script ended before {event}"));
            let v: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            if v["event"] == event {
                return v;
            }
            assert!(
                !matches!(v["event"].as_str(), Some("timeout" | "join_error")),
                "script failed while waiting for {event}: {line}"
            );
        }
    }
}

//! Real `assetronics` processes, for tests of what crosses process boundaries (several nodes
//! on one database, a separate worker, signals).

use std::path::PathBuf;
use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The server binary built beside this test binary (`cargo build -p assetronics`).
pub fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir.join("assetronics");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p assetronics` first",
        bin.display()
    );
    bin
}

pub struct Server {
    pub child: Child,
    pub address: String,
    _dir: tempdir::Dir,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }
}

/// Starts `assetronics serve` on a free port against `database_url` (the tests' signing key).
pub async fn start(database_url: &str) -> Server {
    start_with(database_url, &["serve"], &[]).await
}

/// Starts the server with other arguments (e.g. `["serve", "--no-workers"]`) and extra
/// environment, and waits until it listens.
pub async fn start_with(database_url: &str, args: &[&str], env: &[(&str, &str)]) -> Server {
    let dir = tempdir::Dir::new();
    let mut child = command(database_url, &dir, env)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start server");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let address = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(url) = line.strip_prefix("Assetronics is running at ") {
                return url.trim().to_owned();
            }
        }
        panic!("server exited before it was ready");
    })
    .await
    .expect("server ready in time");
    Server {
        child,
        address,
        _dir: dir,
    }
}

/// A running `assetronics worker` process (job workers, no HTTP).
pub struct Worker {
    pub child: Child,
    _dir: tempdir::Dir,
}

/// Starts `assetronics worker` with extra environment and waits until it has connected to
/// the database and starts taking jobs. Its later output goes on to the test's stderr.
pub async fn start_worker(database_url: &str, env: &[(&str, &str)]) -> Worker {
    let dir = tempdir::Dir::new();
    let mut child = command(database_url, &dir, env)
        .arg("worker")
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start worker");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr")).lines();
    tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.starts_with("assetronics worker running") {
                return;
            }
            eprintln!("{line}");
        }
        panic!("worker exited before it was ready");
    })
    .await
    .expect("worker ready in time");
    // Keep draining, so the worker never blocks on a full pipe.
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("{line}");
        }
    });
    Worker { child, _dir: dir }
}

/// Asks the process to stop (SIGTERM), as an orchestrator does.
pub fn sigterm(pid: u32) {
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(sent.success(), "SIGTERM to {pid}: {sent}");
}

/// The binary with the environment every test process shares; killed when dropped.
fn command(database_url: &str, dir: &tempdir::Dir, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(server_binary());
    command
        .env("ASSETRONICS_BIND", "127.0.0.1:0")
        .env("ASSETRONICS_DATA_DIR", &dir.0)
        .env("DATABASE_URL", database_url)
        .env("ASSETRONICS_JWT_SECRET", crate::TEST_SIGNING_KEY)
        .env("ASSETRONICS_SECRETS_KEY", crate::TEST_SECRETS_KEY)
        .env("ASSETRONICS_HTTP_WORKERS", "1")
        .env("ASSETRONICS_LOG", "warn")
        .envs(env.iter().copied())
        .kill_on_drop(true);
    command
}

mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Self {
            let p = std::env::temp_dir().join(format!(
                "assetronics-proc-{}",
                uuid::Uuid::new_v4().simple()
            ));
            std::fs::create_dir_all(&p).expect("temp dir");
            Self(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

//! Realtime fan-out bench: opens N idle WebSocket connections, each joined to the tenant's
//! `assets:` channel, against a real server process; prints the server's resident memory per
//! connection and the delivery time of one broadcast (caused by a REST write) to all of them.
//!
//! cargo build --release -p assetronics
//! ulimit -n 65536; cargo bench -p assetronics-tests --bench realtime_fanout -- 20000
//!
//! Connections are spread over source addresses 127.0.0.1, .2, ... (20,000 each at most),
//! so more than one address's worth of ephemeral ports can be used.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Stdio;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpSocket;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

const PER_SOURCE_ADDRESS: usize = 20_000;

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000);
    let exe = std::env::current_exe().expect("bench path");
    let target = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = target.join("assetronics");
    assert!(
        bin.exists(),
        "build the server first: cargo build --release -p assetronics ({} missing)",
        bin.display()
    );

    let dir = std::env::temp_dir().join(format!("assetronics-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut server = tokio::process::Command::new(&bin)
        .arg("serve")
        .env("ASSETRONICS_BIND", "127.0.0.1:0")
        .env("ASSETRONICS_DATA_DIR", &dir)
        .env("ASSETRONICS_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start server");
    let pid = server.id().expect("pid");
    let mut lines = BufReader::new(server.stdout.take().expect("stdout")).lines();
    let base = loop {
        let line = lines
            .next_line()
            .await
            .expect("read")
            .expect("server exited");
        if let Some(u) = line.strip_prefix("Assetronics is running at ") {
            break u.trim().to_owned();
        }
    };
    let port: u16 = base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let http = reqwest::Client::new();
    let session: Value = http
        .post(format!("{base}/api/v1/auth/signup"))
        .json(&json!({"organization_name": "Bench", "name": "Bench", "email": "bench@example.com", "password": "bench-password-123"}))
        .send()
        .await
        .expect("signup")
        .json()
        .await
        .expect("json");
    let token = session["access_token"].as_str().expect("token").to_owned();
    let tenant = session["tenant"]["id"].as_str().expect("tenant").to_owned();
    let topic = format!("assets:{tenant}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before = rss_kib(pid);

    println!("opening {n} joined connections ...");
    let started = Instant::now();
    let (tx, mut rx) = mpsc::unbounded_channel::<Instant>();
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<Result<(), String>>();
    let mut opened = 0;
    while opened < n {
        let batch = 250.min(n - opened);
        for i in opened..opened + batch {
            let source = IpAddr::V4(Ipv4Addr::new(127, 0, 0, (i / PER_SOURCE_ADDRESS + 1) as u8));
            let (tx, ready_tx, token, topic) =
                (tx.clone(), ready_tx.clone(), token.clone(), topic.clone());
            tokio::spawn(async move {
                let connect = async {
                    let sock = TcpSocket::new_v4().map_err(|e| e.to_string())?;
                    sock.bind(SocketAddr::new(source, 0))
                        .map_err(|e| e.to_string())?;
                    let stream = sock
                        .connect(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
                        .await
                        .map_err(|e| e.to_string())?;
                    let url =
                        format!("ws://127.0.0.1:{port}/socket/websocket?token={token}&vsn=2.0.0");
                    let (mut ws, _) = tokio_tungstenite::client_async(url, stream)
                        .await
                        .map_err(|e| e.to_string())?;
                    ws.send(Message::Text(
                        json!(["1", "1", topic, "phx_join", {}]).to_string().into(),
                    ))
                    .await
                    .map_err(|e| e.to_string())?;
                    match ws.next().await {
                        Some(Ok(Message::Text(t))) if t.contains("\"ok\"") => Ok(ws),
                        other => Err(format!("join failed: {other:?}")),
                    }
                };
                match connect.await {
                    Ok(mut ws) => {
                        let _ = ready_tx.send(Ok(()));
                        while let Some(Ok(m)) = ws.next().await {
                            if let Message::Text(t) = m
                                && t.contains("asset_created")
                            {
                                let _ = tx.send(Instant::now());
                            }
                        }
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            });
        }
        for _ in 0..batch {
            if let Some(Err(e)) = ready_rx.recv().await {
                eprintln!("connection failed: {e} (raise `ulimit -n`?)");
                std::process::exit(1);
            }
        }
        opened += batch;
    }
    println!(
        "opened and joined {n} connections in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = rss_kib(pid);

    let t0 = Instant::now();
    let res = http
        .post(format!("{base}/api/v1/assets"))
        .bearer_auth(&token)
        .json(&json!({"name": "broadcast me"}))
        .send()
        .await
        .expect("create");
    let committed = Instant::now();
    assert_eq!(res.status(), 201);
    let mut from_request = Vec::with_capacity(n);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while from_request.len() < n {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(t)) => from_request.push(t.duration_since(t0)),
            _ => break,
        }
    }
    from_request.sort();
    let received = from_request.len();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "server RSS: {} KiB before, {} KiB with {n} connections",
        rss_before, rss_after
    );
    println!(
        "server RSS per connection: {:.1} KiB",
        (rss_after.saturating_sub(rss_before)) as f64 / n as f64
    );
    println!(
        "REST write answered after {:.1} ms",
        ms(committed.duration_since(t0))
    );
    println!(
        "broadcast delivered to {received}/{n}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (from the start of the REST request)",
        ms(percentile(&from_request, 0.50)),
        ms(percentile(&from_request, 0.99)),
        ms(from_request.last().copied().unwrap_or_default())
    );
    let _ = server.kill().await;
    let _ = std::fs::remove_dir_all(&dir);
}

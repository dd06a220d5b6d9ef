use std::time::Duration;

use assetronics_tests::socket::{self, close_code, recv, recv_event, recv_within, send};
use assetronics_tests::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn a_rest_write_reaches_a_joined_socket_with_the_rest_json() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let topic = format!("assets:{}", s.tenant_id);
    let mut ws = app.channel(&s, &topic).await;
    let created = app
        .create_asset(&s.access_token, json!({"name": "Live laptop"}))
        .await;
    let push = recv_event(&mut ws, "asset_created").await;
    assert_eq!(push[0], "1", "pushes carry the channel's join_ref");
    assert_eq!(push[1], Value::Null);
    assert_eq!(push[2], topic.as_str());
    assert_eq!(push[4]["asset"], created, "same JSON as REST");

    let emp = app.create_employee(&s.access_token, "Eve").await;
    app.post(
        &format!("/api/v1/assets/{}/checkout", id(&created)),
        &s.access_token,
        json!({"employee_id": id(&emp)}),
    )
    .await;
    let out = recv_event(&mut ws, "asset_checked_out").await;
    assert_eq!(out[4]["asset"]["assigned_to"]["id"], emp["id"]);
}

#[tokio::test]
async fn heartbeats_are_answered() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let mut ws = app.socket(&s).await;
    send(&mut ws, json!([null, "7", "phoenix", "heartbeat", {}])).await;
    assert_eq!(
        recv(&mut ws).await,
        json!([null, "7", "phoenix", "phx_reply", {"status": "ok", "response": {}}])
    );
}

#[tokio::test]
async fn joins_are_authorized_per_tenant_user_and_role() {
    let app = spawn_app().await;
    let a = app.signup("Alpha").await;
    let b = app.signup("Beta").await;
    let member = app.user_with_role(&a, "member").await;
    let mut ws = app.socket(&a).await;
    let cases = [
        (format!("assets:{}", b.tenant_id), "unauthorized"),
        (format!("employees:{}", b.tenant_id), "unauthorized"),
        (format!("user:{}", b.user_id), "unauthorized"),
        ("rooms:lobby".to_string(), "unmatched topic"),
        ("nonsense".to_string(), "unmatched topic"),
    ];
    for (i, (topic, reason)) in cases.iter().enumerate() {
        let r = i.to_string();
        send(&mut ws, json!([r, r, topic, "phx_join", {}])).await;
        let reply = recv(&mut ws).await;
        assert_eq!(
            reply[4],
            json!({"status": "error", "response": {"reason": reason}}),
            "{topic}"
        );
    }
    send(
        &mut ws,
        json!(["9", "9", format!("user:{}", a.user_id), "phx_join", {}]),
    )
    .await;
    assert_eq!(recv(&mut ws).await[4]["status"], "ok");
    // Members do not get the tenant-wide asset stream.
    let mut mws = app.socket(&member).await;
    send(
        &mut mws,
        json!(["1", "1", format!("assets:{}", a.tenant_id), "phx_join", {}]),
    )
    .await;
    assert_eq!(
        recv(&mut mws).await[4]["response"]["reason"],
        "unauthorized"
    );
    // Events of another tenant never arrive.
    let mut bws = app.channel(&b, &format!("assets:{}", b.tenant_id)).await;
    app.create_asset(&a.access_token, json!({"name": "Alpha only"}))
        .await;
    assert_eq!(
        recv_within(&mut bws, Duration::from_millis(1500)).await,
        None
    );
}

#[tokio::test]
async fn bad_and_expired_tokens_cannot_connect() {
    let app = spawn_app_with(|s| s.access_token_ttl = Duration::from_secs(0)).await;
    let s = app.signup("Acme").await;
    let err = socket::connect(&app.address, "token=garbage&vsn=2.0.0")
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("403"), "{err}");
    let none = socket::connect(&app.address, "vsn=2.0.0")
        .await
        .expect_err("refused");
    assert!(none.to_string().contains("403"), "{none}");
    tokio::time::sleep(Duration::from_secs(7)).await;
    let expired = socket::connect(&app.address, &format!("token={}&vsn=2.0.0", s.access_token))
        .await
        .expect_err("refused");
    assert!(expired.to_string().contains("403"), "{expired}");
}

#[tokio::test]
async fn api_tokens_and_the_subprotocol_bearer_connect_too() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let tok = app
        .post(
            "/api/v1/api-tokens",
            &s.access_token,
            json!({"name": "mobile", "role": "viewer"}),
        )
        .await;
    let secret = tok.body["token"].as_str().unwrap_or_default().to_owned();
    let mut ws = socket::connect(&app.address, &format!("token={secret}&vsn=2.0.0"))
        .await
        .expect("API token connects");
    send(
        &mut ws,
        json!(["1", "1", format!("assets:{}", s.tenant_id), "phx_join", {}]),
    )
    .await;
    assert_eq!(recv(&mut ws).await[4]["status"], "ok");

    // phoenix.js 1.8 `authToken`: ["phoenix", "base64url.bearer.phx.<base64 token>"].
    use base64_free::encode;
    let url = format!(
        "{}/socket/websocket?vsn=2.0.0",
        app.address.replace("http://", "ws://")
    );
    let mut req =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(url)
            .expect("request");
    let proto = format!(
        "phoenix, base64url.bearer.phx.{}",
        encode(s.access_token.as_bytes())
    );
    req.headers_mut()
        .insert("sec-websocket-protocol", proto.parse().expect("header"));
    let (mut ws2, res) = tokio_tungstenite::connect_async(req)
        .await
        .expect("subprotocol bearer connects");
    assert_eq!(
        res.headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok()),
        Some("phoenix")
    );
    send(&mut ws2, json!([null, "1", "phoenix", "heartbeat", {}])).await;
    assert_eq!(recv(&mut ws2).await[4]["status"], "ok");
}

/// Standard base64 without padding, as `btoa(...).replace(/=/g, "")` gives.
mod base64_free {
    pub fn encode(input: &[u8]) -> String {
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in input.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
            for i in 0..(chunk.len() + 1) {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }
}

#[tokio::test]
async fn malformed_frames_close_the_socket() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let mut ws = app.socket(&s).await;
    socket::send_raw(&mut ws, Message::Text("{not json".into())).await;
    assert_eq!(close_code(&mut ws).await, Some(1007));
    let mut ws = app.socket(&s).await;
    socket::send_raw(
        &mut ws,
        Message::Text(format!("[\"1\",\"1\",\"x\",\"{}\",{{}}]", "e".repeat(70 * 1024)).into()),
    )
    .await;
    assert_eq!(
        close_code(&mut ws).await,
        Some(1009),
        "frames over 64 KiB are refused"
    );
}

#[tokio::test]
async fn channel_count_is_limited_per_socket() {
    let app = spawn_app_with(|s| s.max_channels_per_socket = 2).await;
    let s = app.signup("Acme").await;
    let mut ws = app.socket(&s).await;
    for (i, kind) in ["assets", "employees", "activity"].iter().enumerate() {
        let r = i.to_string();
        send(
            &mut ws,
            json!([r, r, format!("{kind}:{}", s.tenant_id), "phx_join", {}]),
        )
        .await;
        let reply = recv(&mut ws).await;
        if i < 2 {
            assert_eq!(reply[4]["status"], "ok");
        } else {
            assert_eq!(
                reply[4],
                json!({"status": "error", "response": {"reason": "too many channels"}})
            );
        }
    }
}

#[tokio::test]
async fn a_second_join_replaces_the_first_and_leave_closes() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let topic = format!("assets:{}", s.tenant_id);
    let mut ws = app.channel(&s, &topic).await;
    send(&mut ws, json!(["3", "3", topic, "phx_join", {}])).await;
    assert_eq!(
        recv(&mut ws).await,
        json!(["1", "1", topic, "phx_close", {}]),
        "the first join is closed"
    );
    assert_eq!(
        recv(&mut ws).await,
        json!(["3", "3", topic, "phx_reply", {"status": "ok", "response": {}}])
    );
    app.create_asset(&s.access_token, json!({"name": "x"}))
        .await;
    let push = recv_event(&mut ws, "asset_created").await;
    assert_eq!(push[0], "3", "pushes echo the current join_ref");

    // A push on a topic not joined is refused.
    send(
        &mut ws,
        json!(["9", "10", format!("employees:{}", s.tenant_id), "ping", {}]),
    )
    .await;
    assert_eq!(
        recv(&mut ws).await[4],
        json!({"status": "error", "response": {"reason": "unmatched topic"}})
    );

    send(&mut ws, json!(["3", "4", topic, "phx_leave", {}])).await;
    assert_eq!(
        recv(&mut ws).await,
        json!(["3", "4", topic, "phx_reply", {"status": "ok", "response": {}}])
    );
    assert_eq!(
        recv(&mut ws).await,
        json!(["3", "3", topic, "phx_close", {}])
    );
    app.create_asset(&s.access_token, json!({"name": "after leave"}))
        .await;
    assert_eq!(
        recv_within(&mut ws, Duration::from_millis(1500)).await,
        None,
        "nothing after leaving"
    );
}

#[tokio::test]
async fn v1_clients_speak_json_objects() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let topic = format!("assets:{}", s.tenant_id);
    let mut ws = socket::connect(&app.address, &format!("token={}", s.access_token))
        .await
        .expect("connect");
    send(
        &mut ws,
        json!({"topic": topic, "event": "phx_join", "payload": {}, "ref": "1"}),
    )
    .await;
    let r = recv(&mut ws).await;
    assert_eq!(r["event"], "phx_reply");
    assert_eq!(r["ref"], "1");
    assert_eq!(r["payload"]["status"], "ok");
    let created = app
        .create_asset(&s.access_token, json!({"name": "v1"}))
        .await;
    let push = recv_event(&mut ws, "asset_created").await;
    assert_eq!(push["topic"], topic.as_str());
    assert_eq!(push["payload"]["asset"], created);
}

#[tokio::test]
async fn binary_frames_round_trip() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let topic = format!("assets:{}", s.tenant_id);
    let mut ws = app.channel(&s, &topic).await;
    let mut frame = vec![0u8, 1, 1, topic.len() as u8, 4];
    frame.extend_from_slice(b"12");
    frame.extend_from_slice(topic.as_bytes());
    frame.extend_from_slice(b"ping");
    frame.extend_from_slice(&[9, 8, 7]);
    socket::send_raw(&mut ws, Message::Binary(frame.into())).await;
    let reply = recv(&mut ws).await;
    let bytes: Vec<u8> = reply["binary"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b.as_u64().map(|b| b as u8))
        .collect();
    let mut expected = vec![1u8, 1, 1, topic.len() as u8, 2];
    expected.extend_from_slice(b"12");
    expected.extend_from_slice(topic.as_bytes());
    expected.extend_from_slice(b"ok");
    expected.extend_from_slice(&[9, 8, 7]);
    assert_eq!(bytes, expected);
}

#[tokio::test]
async fn presence_state_then_diffs() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let admin = app.user_with_role(&owner, "admin").await;
    let topic = format!("presence:{}", owner.tenant_id);
    let mut a = app.channel(&owner, &topic).await;
    let state = recv_event(&mut a, "presence_state").await;
    assert_eq!(state[0], "1");
    assert!(state[4][&owner.user_id]["metas"][0]["phx_ref"].is_string());

    let mut b = app.channel(&admin, &topic).await;
    let state_b = recv_event(&mut b, "presence_state").await;
    assert!(
        state_b[4][&owner.user_id].is_object() && state_b[4][&admin.user_id].is_object(),
        "{state_b}"
    );
    let diff = recv_event(&mut a, "presence_diff").await;
    assert!(
        diff[4]["joins"][&admin.user_id]["metas"][0]["phx_ref"].is_string(),
        "{diff}"
    );
    assert_eq!(
        diff[4]["joins"][&admin.user_id]["metas"][0]["name"],
        "admin user"
    );

    drop(b);
    let leave = recv_event(&mut a, "presence_diff").await;
    assert!(leave[4]["leaves"][&admin.user_id].is_object(), "{leave}");
}

#[tokio::test]
async fn long_poll_round_trip() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let base = app.url(&format!(
        "/socket/longpoll?token={}&vsn=2.0.0",
        s.access_token
    ));
    let open: Value = app
        .client
        .get(&base)
        .send()
        .await
        .expect("poll")
        .json()
        .await
        .expect("json");
    assert_eq!(open["status"], 410);
    let session = open["token"].as_str().expect("session token").to_owned();
    let url = format!("{base}&token={session}");
    let topic = format!("assets:{}", s.tenant_id);
    let body = format!(
        "{}\n{}",
        json!(["1", "1", topic, "phx_join", {}]),
        json!([null, "2", "phoenix", "heartbeat", {}])
    );
    let posted: Value = app
        .client
        .post(&url)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(posted["status"], 200);
    let got: Value = app
        .client
        .get(&url)
        .send()
        .await
        .expect("poll")
        .json()
        .await
        .expect("json");
    assert_eq!(got["status"], 200);
    let msgs: Vec<Value> = got["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str())
        .filter_map(|m| serde_json::from_str(m).ok())
        .collect();
    assert_eq!(
        msgs[0],
        json!(["1", "1", topic, "phx_reply", {"status": "ok", "response": {}}])
    );
    assert_eq!(msgs[1][1], "2");

    let poller = {
        let client = app.client.clone();
        let url = url.clone();
        tokio::spawn(async move {
            client
                .get(&url)
                .send()
                .await
                .expect("poll")
                .json::<Value>()
                .await
                .expect("json")
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let created = app
        .create_asset(&s.access_token, json!({"name": "polled"}))
        .await;
    let got = poller.await.expect("poll task");
    assert_eq!(got["status"], 200);
    let push: Value =
        serde_json::from_str(got["messages"][0].as_str().unwrap_or("null")).unwrap_or_default();
    assert_eq!(push[3], "asset_created");
    assert_eq!(push[4]["asset"], created);

    let unknown: Value = app
        .client
        .post(app.url("/socket/longpoll?token=nope&vsn=2.0.0"))
        .body("[]")
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(unknown["status"], 410);
    let refused: Value = app
        .client
        .get(app.url("/socket/longpoll?token=bad&vsn=2.0.0"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(refused["status"], 403);
}

/// Reads SSE events (`id`, `event`, `data`) from a streaming response until `n` arrive.
async fn sse_events(res: &mut reqwest::Response, n: usize) -> Vec<(String, String, Value)> {
    let mut buf = String::new();
    let mut out = vec![];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while out.len() < n {
        let chunk = tokio::time::timeout_at(deadline, res.chunk())
            .await
            .expect("events in time")
            .expect("chunk")
            .expect("open");
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let (mut id, mut ev, mut data) = (String::new(), String::new(), Value::Null);
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id: ") {
                    id = v.into();
                }
                if let Some(v) = line.strip_prefix("event: ") {
                    ev = v.into();
                }
                if let Some(v) = line.strip_prefix("data: ") {
                    data = serde_json::from_str(v).unwrap_or_default();
                }
            }
            if !ev.is_empty() {
                out.push((id, ev, data));
            }
        }
    }
    out
}

#[tokio::test]
async fn server_sent_events_stream_and_resume() {
    let app = spawn_app().await;
    let s = app.signup("Acme").await;
    let mut res = app
        .client
        .get(app.url("/api/v1/events/stream"))
        .bearer_auth(&s.access_token)
        .send()
        .await
        .expect("stream");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/event-stream")
    );
    let first = app
        .create_asset(&s.access_token, json!({"name": "one"}))
        .await;
    let got = sse_events(&mut res, 1).await;
    assert_eq!(got[0].1, "asset_created");
    assert_eq!(got[0].2["topic"], "assets");
    assert_eq!(got[0].2["payload"]["asset"], first);
    let last_id = got[0].0.clone();
    drop(res);

    // Missed while disconnected: replayed on resume, in order, before live events.
    let second = app
        .create_asset(&s.access_token, json!({"name": "two"}))
        .await;
    let third = app
        .create_asset(&s.access_token, json!({"name": "three"}))
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut res = app
        .client
        .get(app.url("/api/v1/events/stream"))
        .bearer_auth(&s.access_token)
        .header("Last-Event-ID", &last_id)
        .send()
        .await
        .expect("stream");
    let fourth_task = {
        let app_url = app.url("/api/v1/assets");
        let client = app.client.clone();
        let token = s.access_token.clone();
        async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            client
                .post(app_url)
                .bearer_auth(token)
                .json(&json!({"name": "four"}))
                .send()
                .await
                .expect("create")
        }
    };
    let (got, _) = tokio::join!(sse_events(&mut res, 3), fourth_task);
    let names: Vec<&str> = got
        .iter()
        .filter_map(|e| e.2["payload"]["asset"]["name"].as_str())
        .collect();
    assert_eq!(names, ["two", "three", "four"]);
    assert_eq!(got[0].2["payload"]["asset"], second);
    assert_eq!(got[1].2["payload"]["asset"], third);
    // Unauthenticated: a problem, not a stream.
    let anon = app
        .client
        .get(app.url("/api/v1/events/stream"))
        .send()
        .await
        .expect("sent");
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
}

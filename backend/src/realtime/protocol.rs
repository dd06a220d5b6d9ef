//! The Phoenix Channels wire protocol: V1 (JSON objects) and V2 (JSON arrays, plus the V2
//! binary frames), as the `phoenix` npm client and the mobile Phoenix clients speak it.

use bytes::Bytes;
use bytestring::ByteString;
use serde_json::{Value, json};

/// Serializer version, from the `vsn` connect parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Vsn {
    /// `{"join_ref", "ref", "topic", "event", "payload"}` objects (no `vsn`, or `1.0.0`).
    V1,
    /// `[join_ref, ref, topic, event, payload]` arrays (`2.0.0`).
    V2,
}

impl Vsn {
    pub fn parse(raw: Option<&str>) -> Option<Self> {
        match raw {
            None | Some("1.0.0") | Some("1") => Some(Vsn::V1),
            Some(v) if v.starts_with("2.") => Some(Vsn::V2),
            _ => None,
        }
    }
}

/// A message's payload: JSON, or raw bytes in V2 binary frames.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    Json(Value),
    Binary(Bytes),
}

/// One protocol message.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub join_ref: Option<String>,
    pub ref_: Option<String>,
    pub topic: String,
    pub event: String,
    pub payload: Payload,
}

/// A frame ready for the wire. Cloning is cheap (reference-counted), so one broadcast frame
/// serves every subscriber that gets the same bytes.
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    Text(ByteString),
    Binary(Bytes),
}

impl Frame {
    pub fn len(&self) -> usize {
        match self {
            Frame::Text(s) => s.len(),
            Frame::Binary(b) => b.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Why a frame could not be read.
#[derive(Debug, PartialEq, Eq)]
pub struct DecodeError(pub &'static str);

fn opt_string(v: &Value) -> Result<Option<String>, DecodeError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        _ => Err(DecodeError("refs must be strings or null")),
    }
}

/// Reads a text frame.
pub fn decode_text(vsn: Vsn, text: &str) -> Result<Message, DecodeError> {
    let v: Value = serde_json::from_str(text).map_err(|_| DecodeError("not JSON"))?;
    match vsn {
        Vsn::V2 => {
            let a = v.as_array().filter(|a| a.len() == 5).ok_or(DecodeError(
                "expected [join_ref, ref, topic, event, payload]",
            ))?;
            Ok(Message {
                join_ref: opt_string(&a[0])?,
                ref_: opt_string(&a[1])?,
                topic: a[2]
                    .as_str()
                    .ok_or(DecodeError("topic must be a string"))?
                    .to_owned(),
                event: a[3]
                    .as_str()
                    .ok_or(DecodeError("event must be a string"))?
                    .to_owned(),
                payload: Payload::Json(a[4].clone()),
            })
        }
        Vsn::V1 => {
            let o = v.as_object().ok_or(DecodeError("expected an object"))?;
            Ok(Message {
                join_ref: opt_string(o.get("join_ref").unwrap_or(&Value::Null))?,
                ref_: opt_string(o.get("ref").unwrap_or(&Value::Null))?,
                topic: o
                    .get("topic")
                    .and_then(Value::as_str)
                    .ok_or(DecodeError("topic must be a string"))?
                    .to_owned(),
                event: o
                    .get("event")
                    .and_then(Value::as_str)
                    .ok_or(DecodeError("event must be a string"))?
                    .to_owned(),
                payload: Payload::Json(o.get("payload").cloned().unwrap_or_else(|| json!({}))),
            })
        }
    }
}

const KIND_PUSH: u8 = 0;
const KIND_REPLY: u8 = 1;
const KIND_BROADCAST: u8 = 2;

/// Reads a V2 binary frame (a client push: kind 0, then the sizes and strings, then bytes).
pub fn decode_binary(buf: &[u8]) -> Result<Message, DecodeError> {
    let bad = DecodeError("malformed binary frame");
    if buf.len() < 5 || buf[0] != KIND_PUSH {
        return Err(bad);
    }
    let (jl, rl, tl, el) = (
        buf[1] as usize,
        buf[2] as usize,
        buf[3] as usize,
        buf[4] as usize,
    );
    let mut at = 5;
    let mut take = |n: usize| -> Result<String, DecodeError> {
        let s = buf
            .get(at..at + n)
            .ok_or(DecodeError("malformed binary frame"))?;
        at += n;
        String::from_utf8(s.to_vec()).map_err(|_| DecodeError("binary frame strings must be UTF-8"))
    };
    let join_ref = take(jl)?;
    let ref_ = take(rl)?;
    let topic = take(tl)?;
    let event = take(el)?;
    let payload = Bytes::copy_from_slice(&buf[at..]);
    Ok(Message {
        join_ref: (!join_ref.is_empty()).then_some(join_ref),
        ref_: (!ref_.is_empty()).then_some(ref_),
        topic,
        event,
        payload: Payload::Binary(payload),
    })
}

fn u8_len(s: &str) -> u8 {
    u8::try_from(s.len()).unwrap_or(u8::MAX)
}

/// Writes a message. JSON payloads become text frames; binary payloads become V2 binary
/// frames (a reply when the event is `phx_reply`, else a broadcast).
pub fn encode(vsn: Vsn, m: &Message) -> Frame {
    match &m.payload {
        Payload::Json(p) => Frame::Text(ByteString::from(match vsn {
            Vsn::V2 => json!([m.join_ref, m.ref_, m.topic, m.event, p]).to_string(),
            Vsn::V1 => json!({"join_ref": m.join_ref, "ref": m.ref_, "topic": m.topic, "event": m.event, "payload": p}).to_string(),
        })),
        Payload::Binary(b) => {
            let mut out = Vec::with_capacity(b.len() + 64);
            if m.event == "phx_reply" {
                let jr = m.join_ref.as_deref().unwrap_or("");
                let r = m.ref_.as_deref().unwrap_or("");
                let status = "ok";
                out.extend([KIND_REPLY, u8_len(jr), u8_len(r), u8_len(&m.topic), u8_len(status)]);
                out.extend_from_slice(jr.as_bytes());
                out.extend_from_slice(r.as_bytes());
                out.extend_from_slice(m.topic.as_bytes());
                out.extend_from_slice(status.as_bytes());
            } else {
                out.extend([KIND_BROADCAST, u8_len(&m.topic), u8_len(&m.event)]);
                out.extend_from_slice(m.topic.as_bytes());
                out.extend_from_slice(m.event.as_bytes());
            }
            out.extend_from_slice(b);
            Frame::Binary(Bytes::from(out))
        }
    }
}

/// `phx_reply` with `{status, response}`.
pub fn reply(
    join_ref: Option<String>,
    ref_: Option<String>,
    topic: &str,
    status: &str,
    response: Value,
) -> Message {
    Message {
        join_ref,
        ref_,
        topic: topic.to_owned(),
        event: "phx_reply".into(),
        payload: Payload::Json(json!({"status": status, "response": response})),
    }
}

/// A server push on a channel.
pub fn push(join_ref: Option<String>, topic: &str, event: &str, payload: Value) -> Message {
    Message {
        join_ref,
        ref_: None,
        topic: topic.to_owned(),
        event: event.to_owned(),
        payload: Payload::Json(payload),
    }
}

/// Builds broadcast frames for one event: the payload is serialized once, and a frame is
/// made once per distinct `join_ref` (clients number their joins the same way, so most
/// subscribers share one).
pub struct BroadcastFrames {
    topic_json: String,
    event_json: String,
    payload_json: String,
    v1: Option<Frame>,
    by_join_ref: Vec<(Option<std::sync::Arc<str>>, Frame)>,
}

impl BroadcastFrames {
    pub fn new(topic: &str, event: &str, payload: &Value) -> Self {
        Self {
            topic_json: Value::from(topic).to_string(),
            event_json: Value::from(event).to_string(),
            payload_json: payload.to_string(),
            v1: None,
            by_join_ref: Vec::new(),
        }
    }

    pub fn frame(&mut self, vsn: Vsn, join_ref: &Option<std::sync::Arc<str>>) -> Frame {
        match vsn {
            Vsn::V1 => self
                .v1
                .get_or_insert_with(|| {
                    Frame::Text(ByteString::from(format!(
                        "{{\"topic\":{},\"event\":{},\"payload\":{},\"ref\":null}}",
                        self.topic_json, self.event_json, self.payload_json
                    )))
                })
                .clone(),
            Vsn::V2 => {
                if let Some((_, f)) = self.by_join_ref.iter().find(|(j, _)| j == join_ref) {
                    return f.clone();
                }
                let jr = match join_ref {
                    Some(j) => Value::from(&**j).to_string(),
                    None => "null".to_owned(),
                };
                let f = Frame::Text(ByteString::from(format!(
                    "[{jr},null,{},{},{}]",
                    self.topic_json, self.event_json, self.payload_json
                )));
                self.by_join_ref.push((join_ref.clone(), f.clone()));
                f
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_round_trips() {
        let m = decode_text(Vsn::V2, r#"["1","2","assets:t","phx_join",{"a":1}]"#);
        assert_eq!(
            m,
            Ok(Message {
                join_ref: Some("1".into()),
                ref_: Some("2".into()),
                topic: "assets:t".into(),
                event: "phx_join".into(),
                payload: Payload::Json(json!({"a": 1}))
            })
        );
        let heartbeat = decode_text(Vsn::V2, r#"[null,"5","phoenix","heartbeat",{}]"#);
        assert_eq!(heartbeat.map(|m| m.join_ref), Ok(None));
        let r = reply(
            Some("1".into()),
            Some("2".into()),
            "assets:t",
            "ok",
            json!({}),
        );
        assert_eq!(
            encode(Vsn::V2, &r),
            Frame::Text(r#"["1","2","assets:t","phx_reply",{"response":{},"status":"ok"}]"#.into())
        );
    }

    #[test]
    fn v1_objects_are_read_and_written() {
        let m = decode_text(
            Vsn::V1,
            r#"{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"7"}"#,
        );
        assert_eq!(m.as_ref().map(|m| m.ref_.clone()), Ok(Some("7".into())));
        let Frame::Text(t) = encode(
            Vsn::V1,
            &push(None, "assets:t", "asset_created", json!({"x": 1})),
        ) else {
            panic!("text expected")
        };
        let v: Value = serde_json::from_str(&t).unwrap_or_default();
        assert_eq!(v["event"], "asset_created");
        assert_eq!(v["payload"]["x"], 1);
    }

    #[test]
    fn malformed_frames_are_refused() {
        assert!(decode_text(Vsn::V2, "nope").is_err());
        assert!(decode_text(Vsn::V2, r#"["1","2","t"]"#).is_err());
        assert!(decode_text(Vsn::V2, r#"["1","2",3,"e",{}]"#).is_err());
        assert!(decode_binary(&[0, 9, 0, 0, 0]).is_err());
        assert!(decode_binary(&[3, 0, 0, 0, 0]).is_err());
    }

    #[test]
    fn binary_push_decodes_and_reply_encodes() {
        let mut f = vec![0u8, 1, 1, 5, 4];
        f.extend_from_slice(b"12topicping");
        f.extend_from_slice(&[1, 2, 3]);
        let m = decode_binary(&f);
        let m = m.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (
                m.join_ref.as_deref(),
                m.ref_.as_deref(),
                m.topic.as_str(),
                m.event.as_str()
            ),
            (Some("1"), Some("2"), "topic", "ping")
        );
        assert_eq!(m.payload, Payload::Binary(Bytes::from_static(&[1, 2, 3])));
        let r = Message {
            event: "phx_reply".into(),
            ..m
        };
        let Frame::Binary(b) = encode(Vsn::V2, &r) else {
            panic!("binary expected")
        };
        assert_eq!(&b[..5], &[1, 1, 1, 5, 2]);
        assert_eq!(&b[5..], b"12topicok\x01\x02\x03");
    }

    #[test]
    fn broadcast_frames_are_shared_per_join_ref() {
        let mut b = BroadcastFrames::new("assets:t", "asset_created", &json!({"asset": {"id": 1}}));
        let one: Option<std::sync::Arc<str>> = Some("1".into());
        let f1 = b.frame(Vsn::V2, &one);
        let f2 = b.frame(Vsn::V2, &one);
        assert_eq!(f1, f2);
        assert_eq!(
            f1,
            Frame::Text(r#"["1",null,"assets:t","asset_created",{"asset":{"id":1}}]"#.into())
        );
        let Frame::Text(v1) = b.frame(Vsn::V1, &None) else {
            panic!("text")
        };
        assert!(v1.starts_with(r#"{"topic":"assets:t""#));
    }
}

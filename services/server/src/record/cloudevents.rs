//! `samverkan export` and `samverkan import`: the whole log as CloudEvents
//! 1.0 JSON Lines (one event per line, in log order, then the signed
//! checkpoints), and back into an empty store with the hash chain
//! reproduced bit for bit (docs/operations.md, "Exporting the log").
//!
//! An event line carries the CloudEvents attributes `specversion`, `id` (the
//! event id), `source` (`/samverkan/streams/<stream>`), `type`
//! (`se.samverkan.<EventType>`), `subject` (the stream), `time` (recorded,
//! UTC, µs), `datacontenttype` and the body exactly as stored (`data`, the
//! stored JSON text byte for byte; `data_base64` for a body that cannot be
//! embedded verbatim), and the extensions `position`, `streamversion`,
//! `schemaversion`, `actor`, `actorrole`, `causationid`, `correlationid`,
//! `traceid`, `commandfingerprint` and `chainlink` (the event's link, hex).
//! A checkpoint line has type `se.samverkan.chain.checkpoint`.

use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::time::Instant;

use anyhow::{bail, Context};
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use samverkan_eventstore::chain::{from_hex, hex, Checkpoint, Hash};
use samverkan_eventstore::{EventMetadata, EventStore, RecordedEvent};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::cli::{ExportArgs, ImportArgs};
use crate::store::{self, StoreLocation};

/// The `type` of a checkpoint line.
pub const CHECKPOINT_TYPE: &str = "se.samverkan.chain.checkpoint";
/// The prefix of an event line's `type`.
pub const TYPE_PREFIX: &str = "se.samverkan.";
const SOURCE_PREFIX: &str = "/samverkan/streams/";
/// Events read or imported per step.
const STEP: usize = 1000;

/// One line of the export (an event or a checkpoint).
#[derive(Debug, Serialize, Deserialize)]
struct Line {
    specversion: String,
    id: String,
    source: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    time: String,
    datacontenttype: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<Box<RawValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data_base64: Option<String>,
    position: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    streamversion: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    schemaversion: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    actor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    actorrole: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    causationid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    correlationid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    traceid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    commandfingerprint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    chainlink: Option<String>,
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The body as CloudEvents `data` when it can stand in the line verbatim
/// (JSON text without line breaks, which the line's JSON keeps byte for
/// byte), else as `data_base64`.
fn body(data: &[u8]) -> (Option<Box<RawValue>>, Option<String>) {
    let verbatim = std::str::from_utf8(data)
        .ok()
        .filter(|s| !s.contains(['\n', '\r']))
        .and_then(|s| RawValue::from_string(s.to_string()).ok())
        .filter(|raw| raw.get().as_bytes() == data);
    match verbatim {
        Some(raw) => (Some(raw), None),
        None => (None, Some(base64::engine::general_purpose::STANDARD.encode(data))),
    }
}

fn event_line(e: &RecordedEvent, link: Option<&Hash>) -> Line {
    let m = &e.metadata;
    let (data, data_base64) = body(&e.data);
    Line {
        specversion: "1.0".into(),
        id: e.id.to_string(),
        source: format!("{SOURCE_PREFIX}{}", e.stream),
        kind: format!("{TYPE_PREFIX}{}", e.event_type),
        subject: Some(e.stream.clone()),
        time: time(e.recorded_at),
        datacontenttype: "application/json".into(),
        data,
        data_base64,
        position: e.position,
        streamversion: Some(e.version),
        schemaversion: Some(e.schema_version),
        actor: m.actor.clone(),
        actorrole: m.actor_role.clone(),
        causationid: m.causation_id.map(|u| u.to_string()),
        correlationid: m.correlation_id.map(|u| u.to_string()),
        traceid: m.trace_id.clone(),
        commandfingerprint: m.command_fingerprint.clone(),
        chainlink: link.map(|h| hex(h)),
    }
}

fn checkpoint_line(cp: &Checkpoint) -> anyhow::Result<Line> {
    let data = serde_json::json!({
        "position": cp.position,
        "link": hex(&cp.hash),
        "signed_at_micros": cp.signed_at.timestamp_micros(),
        "public_key": hex(&cp.key),
        "signature": hex(&cp.signature),
    });
    Ok(Line {
        specversion: "1.0".into(),
        id: format!("checkpoint-{}", cp.position),
        source: "/samverkan/chain".into(),
        kind: CHECKPOINT_TYPE.into(),
        subject: None,
        time: time(cp.signed_at),
        datacontenttype: "application/json".into(),
        data: Some(RawValue::from_string(data.to_string())?),
        data_base64: None,
        position: cp.position,
        streamversion: None,
        schemaversion: None,
        actor: None,
        actorrole: None,
        causationid: None,
        correlationid: None,
        traceid: None,
        commandfingerprint: None,
        chainlink: Some(hex(&cp.hash)),
    })
}

/// A progress bar on a terminal, else nothing; the summary line is printed either way.
fn progress(total: u64, what: &str) -> Option<ProgressBar> {
    std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(what.to_string());
        bar
    })
}

/// Writes the whole log of `store` and its checkpoints to `out`; returns
/// (events, checkpoints) written.
pub async fn export(store: &dyn EventStore, out: &mut dyn Write) -> anyhow::Result<(u64, u64)> {
    let chained = store.keeps_chain();
    let head = store.head_position().await.context("reading the head")?.unwrap_or(0);
    let bar = progress(head, "events exported");
    let mut after = None;
    let mut events = 0u64;
    loop {
        let batch: Vec<(RecordedEvent, Option<Hash>)> = if chained {
            let batch = store.read_chain(after, STEP).await.context("reading the log")?;
            batch.into_iter().map(|c| (c.event, c.hash)).collect()
        } else {
            let batch = store.read_all(after, STEP).await.context("reading the log")?;
            batch.into_iter().map(|e| (e, None)).collect()
        };
        let Some((last, _)) = batch.last() else { break };
        after = Some(last.position);
        for (e, link) in &batch {
            serde_json::to_writer(&mut *out, &event_line(e, link.as_ref())).context("writing the export")?;
            out.write_all(b"\n").context("writing the export")?;
        }
        events += batch.len() as u64;
        if let Some(bar) = &bar {
            bar.set_position(after.unwrap_or(0).min(head));
        }
    }
    let mut checkpoints = 0u64;
    if chained {
        for cp in crate::record::verify::all_checkpoints(store).await? {
            serde_json::to_writer(&mut *out, &checkpoint_line(&cp)?).context("writing the export")?;
            out.write_all(b"\n").context("writing the export")?;
            checkpoints += 1;
        }
    }
    out.flush().context("writing the export")?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok((events, checkpoints))
}

fn uuid(what: &str, v: &Option<String>) -> anyhow::Result<Option<Uuid>> {
    v.as_deref()
        .map(|s| Uuid::parse_str(s).with_context(|| format!("`{what}` is not a UUID: `{s}`")))
        .transpose()
}

fn recorded_event(line: Line) -> anyhow::Result<(RecordedEvent, Option<Hash>)> {
    let Some(event_type) = line.kind.strip_prefix(TYPE_PREFIX) else {
        bail!("`type` `{}` is not a Samverkan event (`{TYPE_PREFIX}…`)", line.kind);
    };
    let stream = match (&line.subject, line.source.strip_prefix(SOURCE_PREFIX)) {
        (Some(s), _) => s.clone(),
        (None, Some(s)) => s.to_string(),
        (None, None) => bail!("the event names no stream (`subject`)"),
    };
    let data = match (&line.data, &line.data_base64) {
        (Some(raw), None) => raw.get().as_bytes().to_vec(),
        (None, Some(b64)) => base64::engine::general_purpose::STANDARD
            .decode(b64)
            .context("`data_base64` is not base64")?,
        _ => bail!("an event line needs exactly one of `data` and `data_base64`"),
    };
    let recorded_at = DateTime::parse_from_rfc3339(&line.time)
        .with_context(|| format!("`time` is not an RFC 3339 instant: `{}`", line.time))?
        .with_timezone(&Utc);
    let link = line
        .chainlink
        .as_deref()
        .map(|h| from_hex::<32>(h).with_context(|| format!("`chainlink` is not 32 bytes in hex: `{h}`")))
        .transpose()?;
    let event = RecordedEvent {
        id: Uuid::parse_str(&line.id).with_context(|| format!("`id` is not a UUID: `{}`", line.id))?,
        stream,
        version: line.streamversion.context("the event has no `streamversion`")?,
        position: line.position,
        event_type: event_type.to_string(),
        schema_version: line.schemaversion.context("the event has no `schemaversion`")?,
        data,
        metadata: EventMetadata {
            actor: line.actor.clone(),
            actor_role: line.actorrole.clone(),
            causation_id: uuid("causationid", &line.causationid)?,
            correlation_id: uuid("correlationid", &line.correlationid)?,
            trace_id: line.traceid.clone(),
            command_fingerprint: line.commandfingerprint.clone(),
        },
        recorded_at,
    };
    Ok((event, link))
}

fn checkpoint(line: &Line) -> anyhow::Result<Checkpoint> {
    let data: serde_json::Value =
        serde_json::from_str(line.data.as_ref().context("a checkpoint line needs `data`")?.get())?;
    crate::record::verify::checkpoint_from(&data)
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub events: u64,
    pub checkpoints: u64,
    /// The imported log's head and link, when it keeps a chain.
    pub head: Option<(u64, Hash)>,
}

/// The lines of an export, parsed: events (with their links) or checkpoints.
enum Parsed {
    Event(Box<RecordedEvent>, Option<Hash>),
    Checkpoint(Checkpoint),
}

/// Reads the export line by line, calling `f` with each parsed line.
fn each_line(input: &mut dyn BufRead, mut f: impl FnMut(u64, Parsed) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let mut text = String::new();
    let mut n = 0u64;
    loop {
        text.clear();
        if input.read_line(&mut text).context("reading the export")? == 0 {
            return Ok(());
        }
        n += 1;
        if text.trim().is_empty() {
            continue;
        }
        let at = || format!("line {n}");
        let line: Line = serde_json::from_str(&text).with_context(|| format!("{}: not a CloudEvent", at()))?;
        if line.specversion != "1.0" {
            bail!("{}: `specversion` is `{}`, not `1.0`", at(), line.specversion);
        }
        let parsed = if line.kind == CHECKPOINT_TYPE {
            Parsed::Checkpoint(checkpoint(&line).with_context(at)?)
        } else {
            let (event, link) = recorded_event(line).with_context(at)?;
            Parsed::Event(Box::new(event), link)
        };
        f(n, parsed).with_context(at)?;
    }
}

/// What the first pass over an export found.
struct Checked {
    events: u64,
    checkpoints: Vec<Checkpoint>,
}

/// The first pass: every line parses, positions increase, every event's
/// fields give its `chainlink` (dense positions from 1 when links are
/// there, as an empty store will assign them), every checkpoint signs a
/// link of the export with a valid signature. Nothing is written.
fn check(input: &mut dyn BufRead) -> anyhow::Result<Checked> {
    let mut prev = samverkan_eventstore::chain::GENESIS;
    let mut links: Vec<Hash> = Vec::new();
    let mut last = 0u64;
    let mut events = 0u64;
    let mut linked = None;
    let mut checkpoints = Vec::new();
    each_line(input, |_, parsed| {
        match parsed {
            Parsed::Event(e, link) => {
                if !checkpoints.is_empty() {
                    bail!("an event after the checkpoints (an export lists the events, then the checkpoints)");
                }
                if e.position <= last {
                    bail!("position {} does not follow position {last}", e.position);
                }
                if *linked.get_or_insert(link.is_some()) != link.is_some() {
                    bail!(
                        "position {}: some events carry a `chainlink` and others not",
                        e.position
                    );
                }
                if let Some(want) = link {
                    if e.position != last + 1 {
                        bail!(
                            "position {} follows {last}: a linked export must have every position from 1",
                            e.position
                        );
                    }
                    let computed = samverkan_eventstore::chain::next_link(
                        &prev,
                        &samverkan_eventstore::chain::EventFields::from(&*e),
                    );
                    if computed != want {
                        bail!(
                            "position {}: the event's fields give the link {} but its `chainlink` is {}: the export \
                             was changed",
                            e.position,
                            hex(&computed),
                            hex(&want)
                        );
                    }
                    prev = computed;
                    links.push(computed);
                }
                last = e.position;
                events += 1;
            }
            Parsed::Checkpoint(cp) => {
                let ours = usize::try_from(cp.position)
                    .ok()
                    .and_then(|p| p.checked_sub(1))
                    .and_then(|i| links.get(i));
                if ours != Some(&cp.hash) {
                    bail!(
                        "the checkpoint at position {} does not sign the export's link there",
                        cp.position
                    );
                }
                if !cp.signature_valid() {
                    bail!("the checkpoint at position {} has a bad signature", cp.position);
                }
                checkpoints.push(cp);
            }
        }
        Ok(())
    })?;
    Ok(Checked { events, checkpoints })
}

/// Imports the export at `path` into the empty `store`: first checks the
/// whole file (nothing is written when a line is wrong), then imports the
/// events in order and the checkpoints, and compares every imported event's
/// position and link with the export's.
pub async fn import(store: &dyn EventStore, path: &std::path::Path) -> anyhow::Result<Imported> {
    let open = || {
        std::fs::File::open(path)
            .map(std::io::BufReader::new)
            .with_context(|| format!("cannot open the export {}", path.display()))
    };
    let checked = check(&mut open()?)?;
    if let Some(head) = store.head_position().await.context("reading the target's head")? {
        bail!("the target store is not empty (its log reaches position {head}): import only into an empty store");
    }
    let bar = progress(checked.events, "events imported");
    let mut batch: Vec<RecordedEvent> = Vec::with_capacity(STEP);
    let mut links: Vec<(u64, Option<Hash>)> = Vec::new();
    let mut input = open()?;
    let mut events = 0u64;
    // Read a batch, import it, read on (the file was checked above).
    loop {
        let mut filled = false;
        let mut text = String::new();
        while batch.len() < STEP {
            text.clear();
            if input.read_line(&mut text).context("reading the export")? == 0 {
                filled = true;
                break;
            }
            if text.trim().is_empty() {
                continue;
            }
            let line: Line = serde_json::from_str(&text).context("reading the export")?;
            if line.kind == CHECKPOINT_TYPE {
                continue;
            }
            let (event, link) = recorded_event(line)?;
            links.push((event.position, link));
            batch.push(event);
        }
        events += flush(store, &mut batch).await?;
        if let Some(bar) = &bar {
            bar.set_position(events);
        }
        if filled {
            break;
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let head = if store.keeps_chain() {
        compare_links(store, &links).await?
    } else {
        None
    };
    let mut recorded = 0u64;
    if store.keeps_chain() {
        for cp in &checked.checkpoints {
            store
                .record_checkpoint(*cp)
                .await
                .with_context(|| format!("recording the checkpoint at position {}", cp.position))?;
            recorded += 1;
        }
    }
    Ok(Imported {
        events,
        checkpoints: recorded,
        head,
    })
}

async fn flush(store: &dyn EventStore, batch: &mut Vec<RecordedEvent>) -> anyhow::Result<u64> {
    if batch.is_empty() {
        return Ok(0);
    }
    let events = std::mem::take(batch);
    let (first, last) = (events[0].position, events[events.len() - 1].position);
    let n = events.len() as u64;
    store
        .import(events)
        .await
        .with_context(|| format!("importing the events at positions {first}–{last}"))?;
    Ok(n)
}

/// The imported chain against the export's links: the first position whose
/// position or link differs is an error.
async fn compare_links(store: &dyn EventStore, links: &[(u64, Option<Hash>)]) -> anyhow::Result<Option<(u64, Hash)>> {
    let mut after = None;
    let mut i = 0usize;
    let mut head = None;
    loop {
        let batch = store
            .read_chain(after, STEP)
            .await
            .context("reading the imported log")?;
        let Some(last) = batch.last() else { break };
        after = Some(last.event.position);
        for c in &batch {
            let Some((position, link)) = links.get(i) else {
                bail!("the imported log has more events than the export");
            };
            if c.event.position != *position {
                bail!(
                    "the imported event {} is at position {} but the export has it at {position}",
                    c.event.id,
                    c.event.position
                );
            }
            if let (Some(want), got) = (link, c.hash) {
                if got != Some(*want) {
                    bail!(
                        "the chain differs at position {position}: the export's link is {} but the import made {}",
                        hex(want),
                        got.map_or("none".to_string(), |h| hex(&h))
                    );
                }
            }
            head = c.hash.map(|h| (*position, h));
            i += 1;
        }
    }
    if i != links.len() {
        bail!("the imported log has {i} events but the export {}", links.len());
    }
    Ok(head)
}

/// `samverkan export`.
pub async fn run_export(args: &ExportArgs) -> anyhow::Result<()> {
    let location = StoreLocation::parse(args.data.store_url.as_deref(), &args.data.data_dir)?;
    if let StoreLocation::Sqlite(path) = &location {
        if !path.exists() {
            bail!("there is no event store at {}: nothing to export", path.display());
        }
    }
    let store = store::open(&location).await.context("opening the store")?;
    let started = Instant::now();
    let (events, checkpoints) = match &args.output {
        Some(path) if path.as_os_str() != "-" => {
            let file = crate::record::verify::create_export(path)?;
            let mut out = BufWriter::new(file);
            export(store.as_ref(), &mut out).await?
        }
        _ => {
            let stdout = std::io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            export(store.as_ref(), &mut out).await?
        }
    };
    eprintln!(
        "export: {events} events and {checkpoints} checkpoints from {} as CloudEvents JSON Lines ({:.1} s)",
        location.describe(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `samverkan import`.
pub async fn run_import(args: &ImportArgs) -> anyhow::Result<()> {
    let location = StoreLocation::parse(args.data.store_url.as_deref(), &args.data.data_dir)?;
    crate::datadir::prepare(&args.data.data_dir)?;
    let store = store::open(&location).await.context("opening the target store")?;
    let report = import(store.as_ref(), &args.input).await?;
    println!(
        "imported: {} events and {} checkpoints into {}",
        report.events,
        report.checkpoints,
        location.describe()
    );
    match report.head {
        Some((position, link)) => println!(
            "chain: identical to the export's, head at position {position} with link {}",
            hex(&link)
        ),
        None => println!("chain: the target keeps no hash chain (docs/eventstore.md)"),
    }
    Ok(())
}

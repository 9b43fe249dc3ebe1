use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// What every aggregate's event enum can do: name itself with a stable type
/// name, carry a schema version, serialize to readable JSON and decode (and
/// upcast) stored JSON.
pub trait DomainEvent: Sized + Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static {
    /// Stable type name, e.g. `MunicipalityRegistered`; never changes.
    fn event_type(&self) -> &'static str;
    /// The current schema version of this event type.
    fn schema_version(&self) -> u32;
    /// The plain JSON body (without envelope).
    fn to_json(&self) -> Value;
    /// Decode a stored body written with `version` of `event_type`,
    /// upcasting older versions first.
    fn from_json(event_type: &str, version: u32, data: &[u8]) -> Result<Self, EventDecodeError>;
    /// Every event type of this enum with its current version and schema.
    fn catalogue() -> Vec<EventSpec>;
    /// Does this enum know the event type at all?
    fn knows(event_type: &str) -> bool;
    /// Append the event's compact form (MessagePack with field names, at the
    /// current schema version) to `out`: what the read models keep in memory.
    fn write_compact(&self, out: &mut Vec<u8>);
    /// Decode what [`DomainEvent::write_compact`] wrote for `event_type` at
    /// schema `version` (only the current one can be read: the compact form
    /// has no upcasters).
    fn from_compact(event_type: &str, version: u32, data: &[u8]) -> Result<Self, EventDecodeError>;
}

/// One entry of the event catalogue.
#[derive(Debug, Clone)]
pub struct EventSpec {
    pub name: &'static str,
    pub version: u32,
    pub aggregate: &'static str,
    pub schema: schemars::Schema,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EventDecodeError {
    #[error("unknown event type `{0}`")]
    UnknownType(String),
    #[error("event `{event_type}` has schema version {found}, newer than the {known} this build knows")]
    FutureVersion { event_type: String, found: u32, known: u32 },
    #[error("event `{event_type}` v{version} does not match its schema: {message}")]
    Malformed {
        event_type: String,
        version: u32,
        message: String,
    },
}

pub(crate) fn to_value<T: Serialize>(v: &T) -> Value {
    // Event structs are plain data (string keys only): serialization cannot fail.
    serde_json::to_value(v).unwrap_or(Value::Null)
}

pub(crate) fn write_compact<T: Serialize>(v: &T, out: &mut Vec<u8>) {
    // Into a Vec with string keys only: writing cannot fail.
    let _ = rmp_serde::encode::write_named(out, v);
}

pub(crate) fn from_compact<T: DeserializeOwned>(
    event_type: &str,
    version: u32,
    current: u32,
    data: &[u8],
) -> Result<T, EventDecodeError> {
    if version != current {
        return Err(EventDecodeError::Malformed {
            event_type: event_type.to_string(),
            version,
            message: format!("its compact form is of schema version {version}; this build reads only {current}"),
        });
    }
    rmp_serde::from_slice(data).map_err(|e| EventDecodeError::Malformed {
        event_type: event_type.to_string(),
        version,
        message: format!("its compact form cannot be read: {e}"),
    })
}

fn malformed(event_type: &str, version: u32, e: serde_json::Error) -> EventDecodeError {
    EventDecodeError::Malformed {
        event_type: event_type.to_string(),
        version,
        message: e.to_string(),
    }
}

/// Decode a stored body: the current version straight from the bytes (the
/// fast path of every rebuild), older versions through the upcaster.
pub(crate) fn decode_as<T: DeserializeOwned>(
    event_type: &str,
    version: u32,
    current: u32,
    data: &[u8],
    upcast: fn(&str, u32, Value) -> Result<Value, EventDecodeError>,
) -> Result<T, EventDecodeError> {
    if version == current {
        serde_json::from_slice(data).map_err(|e| malformed(event_type, version, e))
    } else {
        let value: Value = serde_json::from_slice(data).map_err(|e| malformed(event_type, version, e))?;
        let value = upcast(event_type, version, value)?;
        serde_json::from_value(value).map_err(|e| malformed(event_type, version, e))
    }
}

/// No upcasting needed: every stored version is the current one.
pub(crate) fn no_upcast(_event_type: &str, _version: u32, data: Value) -> Result<Value, EventDecodeError> {
    Ok(data)
}

/// Declare an aggregate's event enum over its event structs:
/// `domain_events!(MunicipalityEvent, "municipality", upcast_fn, { MunicipalityRegistered = 2, ... });`
macro_rules! domain_events {
    ($(#[$meta:meta])* $enum:ident, $aggregate:literal, $upcast:path, { $($variant:ident = $ver:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $enum {
            $($variant($variant)),*
        }

        impl $crate::DomainEvent for $enum {
            fn event_type(&self) -> &'static str {
                match self { $(Self::$variant(_) => stringify!($variant)),* }
            }
            fn schema_version(&self) -> u32 {
                match self { $(Self::$variant(_) => $ver),* }
            }
            fn to_json(&self) -> serde_json::Value {
                match self { $(Self::$variant(e) => $crate::event::to_value(e)),* }
            }
            fn from_json(event_type: &str, version: u32, data: &[u8]) -> Result<Self, $crate::EventDecodeError> {
                let known = match event_type {
                    $(stringify!($variant) => $ver,)*
                    other => return Err($crate::EventDecodeError::UnknownType(other.to_string())),
                };
                if version > known {
                    return Err($crate::EventDecodeError::FutureVersion { event_type: event_type.to_string(), found: version, known });
                }
                match event_type {
                    $(stringify!($variant) => $crate::event::decode_as(event_type, version, known, data, $upcast).map(Self::$variant),)*
                    other => Err($crate::EventDecodeError::UnknownType(other.to_string())),
                }
            }
            fn knows(event_type: &str) -> bool {
                matches!(event_type, $(stringify!($variant))|*)
            }
            fn write_compact(&self, out: &mut Vec<u8>) {
                match self { $(Self::$variant(e) => $crate::event::write_compact(e, out)),* }
            }
            fn from_compact(event_type: &str, version: u32, data: &[u8]) -> Result<Self, $crate::EventDecodeError> {
                match event_type {
                    $(stringify!($variant) => $crate::event::from_compact(event_type, version, $ver, data).map(Self::$variant),)*
                    other => Err($crate::EventDecodeError::UnknownType(other.to_string())),
                }
            }
            fn catalogue() -> Vec<$crate::EventSpec> {
                vec![$($crate::EventSpec {
                    name: stringify!($variant),
                    version: $ver,
                    aggregate: $aggregate,
                    schema: schemars::schema_for!($variant),
                }),*]
            }
        }

        $(impl From<$variant> for $enum {
            fn from(e: $variant) -> Self { Self::$variant(e) }
        })*
    };
}

use crate::application::ApplicationEvent;
use crate::calendar::CalendarEvent;
use crate::consortium::ConsortiumEvent;
use crate::municipality::MunicipalityEvent;
use crate::programme::ProgrammeEvent;
use crate::project::ProjectEvent;
use crate::strategy::StrategyEvent;

/// An event of any aggregate, decoded from the global log.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyEvent {
    Municipality(MunicipalityEvent),
    Consortium(ConsortiumEvent),
    Strategy(StrategyEvent),
    Project(ProjectEvent),
    Application(ApplicationEvent),
    Programme(ProgrammeEvent),
    Calendar(CalendarEvent),
}

/// Call `$method(event_type, args…)` of the aggregate enum that knows
/// `event_type` and wrap its event in [`AnyEvent`].
macro_rules! by_type {
    ($event_type:expr, $method:ident($($arg:expr),*)) => {{
        let t: &str = $event_type;
        if MunicipalityEvent::knows(t) {
            MunicipalityEvent::$method(t, $($arg),*).map(Self::Municipality)
        } else if ConsortiumEvent::knows(t) {
            ConsortiumEvent::$method(t, $($arg),*).map(Self::Consortium)
        } else if StrategyEvent::knows(t) {
            StrategyEvent::$method(t, $($arg),*).map(Self::Strategy)
        } else if ProjectEvent::knows(t) {
            ProjectEvent::$method(t, $($arg),*).map(Self::Project)
        } else if ApplicationEvent::knows(t) {
            ApplicationEvent::$method(t, $($arg),*).map(Self::Application)
        } else if ProgrammeEvent::knows(t) {
            ProgrammeEvent::$method(t, $($arg),*).map(Self::Programme)
        } else if CalendarEvent::knows(t) {
            CalendarEvent::$method(t, $($arg),*).map(Self::Calendar)
        } else {
            Err(EventDecodeError::UnknownType(t.to_string()))
        }
    }};
}

impl AnyEvent {
    /// Decode by type name; event type names are unique across aggregates.
    pub fn decode(event_type: &str, version: u32, data: &[u8]) -> Result<Self, EventDecodeError> {
        by_type!(event_type, from_json(version, data))
    }

    pub fn event_type(&self) -> &'static str {
        match self {
            Self::Municipality(e) => e.event_type(),
            Self::Consortium(e) => e.event_type(),
            Self::Strategy(e) => e.event_type(),
            Self::Project(e) => e.event_type(),
            Self::Application(e) => e.event_type(),
            Self::Programme(e) => e.event_type(),
            Self::Calendar(e) => e.event_type(),
        }
    }

    /// The event's schema version (the current one of its type).
    pub fn schema_version(&self) -> u32 {
        match self {
            Self::Municipality(e) => e.schema_version(),
            Self::Consortium(e) => e.schema_version(),
            Self::Strategy(e) => e.schema_version(),
            Self::Project(e) => e.schema_version(),
            Self::Application(e) => e.schema_version(),
            Self::Programme(e) => e.schema_version(),
            Self::Calendar(e) => e.schema_version(),
        }
    }

    /// The event as the store keeps it: its type, schema version and JSON
    /// (what [`AnyEvent::decode`] reads back).
    pub fn encode(&self) -> (&'static str, u32, serde_json::Value) {
        let json = match self {
            Self::Municipality(e) => e.to_json(),
            Self::Consortium(e) => e.to_json(),
            Self::Strategy(e) => e.to_json(),
            Self::Project(e) => e.to_json(),
            Self::Application(e) => e.to_json(),
            Self::Programme(e) => e.to_json(),
            Self::Calendar(e) => e.to_json(),
        };
        (self.event_type(), self.schema_version(), json)
    }

    /// Append the event's compact form to `out` (MessagePack with field
    /// names, at its current schema version; what the read models keep).
    pub fn write_compact(&self, out: &mut Vec<u8>) {
        match self {
            Self::Municipality(e) => e.write_compact(out),
            Self::Consortium(e) => e.write_compact(out),
            Self::Strategy(e) => e.write_compact(out),
            Self::Project(e) => e.write_compact(out),
            Self::Application(e) => e.write_compact(out),
            Self::Programme(e) => e.write_compact(out),
            Self::Calendar(e) => e.write_compact(out),
        }
    }

    /// Decode the compact form [`AnyEvent::write_compact`] wrote for
    /// `event_type` at schema `version` (only its current one is read).
    pub fn from_compact(event_type: &str, version: u32, data: &[u8]) -> Result<Self, EventDecodeError> {
        by_type!(event_type, from_compact(version, data))
    }

    /// The whole catalogue, all aggregates.
    pub fn catalogue() -> Vec<EventSpec> {
        let mut all = MunicipalityEvent::catalogue();
        all.extend(ConsortiumEvent::catalogue());
        all.extend(StrategyEvent::catalogue());
        all.extend(ProjectEvent::catalogue());
        all.extend(ApplicationEvent::catalogue());
        all.extend(ProgrammeEvent::catalogue());
        all.extend(CalendarEvent::catalogue());
        all
    }
}

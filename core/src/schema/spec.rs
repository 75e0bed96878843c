//! The parameter spec types: what kind of value each key of a tool takes, with its default,
//! bounds, unit and description, and the builders tools write their schemas with.

use serde::Serialize;
use serde_json::Value;

/// A closed or open bound of a numeric range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bound {
    pub value: f64,
    /// `true`: the bound itself is allowed.
    pub inclusive: bool,
}

/// What kind of value a parameter takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParamKind {
    /// A finite real number in [min, max] (each bound open or closed); `nullable` allows JSON null.
    Number {
        min: Option<Bound>,
        max: Option<Bound>,
        nullable: bool,
    },
    /// An integer in [min, max].
    Integer { min: i64, max: i64 },
    /// One of a fixed set of strings.
    Choice { options: Vec<String> },
    /// true / false.
    Boolean,
    /// Free text of bounded length.
    Text { min_len: usize, max_len: usize },
    /// A list of finite numbers, each within the bounds, of `min_len..=max_len` elements.
    NumberList {
        min_len: usize,
        max_len: usize,
        min: Option<Bound>,
        max: Option<Bound>,
        nullable: bool,
    },
    /// A list of `min_len..=max_len` objects, each checked against `item` (keys relative to
    /// the object; missing or null item keys are allowed and filled in by the tool). Errors
    /// name `key[i].item_key`. See [`items`].
    ObjectList {
        item: Vec<ParamSpec>,
        min_len: usize,
        max_len: usize,
    },
}

/// One parameter of a tool.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamSpec {
    /// Dotted path of the key in the parameter object.
    pub key: String,
    /// Short human label for forms.
    pub label: String,
    /// Unit symbol shown next to the field ("" when dimensionless).
    pub unit: String,
    /// What the parameter means and when it is used.
    pub description: String,
    pub kind: ParamKind,
    /// The value used when the key is missing.
    pub default: Value,
    /// A hint for forms: a log-scaled quantity (gains, weights).
    pub log_scale: bool,
    /// For text parameters holding a file's content: the file types a form's file picker
    /// offers (`".csv,.txt"`). The value is still the text; only forms treat it differently.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl ParamSpec {
    pub(super) fn new(key: &str, label: &str, unit: &str, kind: ParamKind, default: Value) -> Self {
        Self {
            key: key.into(),
            label: label.into(),
            unit: unit.into(),
            description: String::new(),
            kind,
            default,
            log_scale: false,
            file: None,
        }
    }

    /// A real number without bounds yet (add them with [`Self::min`], [`Self::max`] …).
    pub fn number(key: &str, label: &str, unit: &str, default: f64) -> Self {
        let kind = ParamKind::Number {
            min: None,
            max: None,
            nullable: false,
        };
        Self::new(key, label, unit, kind, Value::from(default))
    }

    /// A real number that may be null (meaning "derive it"), default null.
    pub fn optional_number(key: &str, label: &str, unit: &str) -> Self {
        let kind = ParamKind::Number {
            min: None,
            max: None,
            nullable: true,
        };
        Self::new(key, label, unit, kind, Value::Null)
    }

    pub fn integer(key: &str, label: &str, default: i64, min: i64, max: i64) -> Self {
        Self::new(
            key,
            label,
            "",
            ParamKind::Integer { min, max },
            Value::from(default),
        )
    }

    pub fn choice(key: &str, label: &str, default: &str, options: &[&str]) -> Self {
        let kind = ParamKind::Choice {
            options: options.iter().map(|o| o.to_string()).collect(),
        };
        Self::new(key, label, "", kind, Value::from(default))
    }

    pub fn boolean(key: &str, label: &str, default: bool) -> Self {
        Self::new(key, label, "", ParamKind::Boolean, Value::from(default))
    }

    pub fn text(key: &str, label: &str, default: &str, min_len: usize, max_len: usize) -> Self {
        Self::new(
            key,
            label,
            "",
            ParamKind::Text { min_len, max_len },
            Value::from(default),
        )
    }

    /// A list of numbers of `min_len..=max_len` elements.
    pub fn number_list(
        key: &str,
        label: &str,
        unit: &str,
        default: Value,
        min_len: usize,
        max_len: usize,
    ) -> Self {
        let kind = ParamKind::NumberList {
            min_len,
            max_len,
            min: None,
            max: None,
            nullable: default.is_null(),
        };
        Self::new(key, label, unit, kind, default)
    }

    fn set_bound(mut self, lower: bool, value: f64, inclusive: bool) -> Self {
        let b = Some(Bound { value, inclusive });
        match &mut self.kind {
            ParamKind::Number { min, max, .. } | ParamKind::NumberList { min, max, .. } => {
                if lower {
                    *min = b
                } else {
                    *max = b
                }
            }
            _ => {}
        }
        self
    }

    /// Lower bound, allowed (`>= value`).
    pub fn min(self, value: f64) -> Self {
        self.set_bound(true, value, true)
    }
    /// Lower bound, excluded (`> value`).
    pub fn min_exclusive(self, value: f64) -> Self {
        self.set_bound(true, value, false)
    }
    /// Upper bound, allowed (`<= value`).
    pub fn max(self, value: f64) -> Self {
        self.set_bound(false, value, true)
    }
    /// Upper bound, excluded (`< value`).
    pub fn max_exclusive(self, value: f64) -> Self {
        self.set_bound(false, value, false)
    }
    pub fn describe(mut self, text: &str) -> Self {
        self.description = text.into();
        self
    }
    pub fn log(mut self) -> Self {
        self.log_scale = true;
        self
    }
    /// Marks a text parameter as the content of a file of the given types (`".csv,.txt"`).
    pub fn file(mut self, accept: &str) -> Self {
        self.file = Some(accept.into());
        self
    }
    /// Makes null the default (and an allowed value): "not given". For optional text and
    /// choices, e.g. a file's content when a demo recording may be used instead.
    pub fn optional(mut self) -> Self {
        self.default = Value::Null;
        self
    }
}

//! The review domain: the model, letter grades, decoding and the layout parser.

pub mod decode;
pub mod era;
pub mod grade;
mod header;
mod limits;
pub mod model;
pub mod parse;

pub use era::Decade;
pub use grade::{Grade, GradeCounts};
pub use limits::Limits;
pub use model::{CastMember, Credits, Layout, Review, Role};
pub use parse::{readable_title, ParseError, Part};

//! The review domain: the model, letter grades, decoding and the layout parser.

pub mod decode;
pub mod grade;
mod header;
pub mod model;
pub mod parse;

pub use grade::{Grade, GradeCounts};
pub use model::{CastMember, Credits, Layout, Review, Role};
pub use parse::{readable_title, ParseError};

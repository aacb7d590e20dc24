//! What the tests share that needs marquee itself (its types or its binary); what does not is
//! in the `marquee-testkit` crate (testkit/).

pub mod archive;
pub mod inproc;
pub mod serve;
pub mod sloppy;
pub mod sloppy_people;

//! "Interaction in → reply out": what each command answers, as plain functions over the
//! archive's results and serenity's builder types. The CLI prints these replies; the bot sends
//! them.

pub mod review;

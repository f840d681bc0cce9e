pub use clipstake;

//! The campaign page's files, compiled in so the one binary serves them.

/// The page (`/` and `/campaign/<address>`).
pub const INDEX_HTML: &str = include_str!("page/index.html");
/// Its script: Wallet Standard discovery, connect, fund through the fund action.
pub const APP_JS: &str = include_str!("page/app.js");
/// The icon of the actions and of the page.
pub const ICON_SVG: &str = include_str!("page/icon.svg");

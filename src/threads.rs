//! How many threads large inputs are read and verified on.

/// The worker threads for parallel reading and verification: the cores available, at most 8.
pub(crate) fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(8)
}

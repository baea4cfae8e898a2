/// Where an ``RTSPClient`` hands its media events: in the batches they arrived in, or one by one.
struct RTSPEventSink: Sendable {
    /// Takes events in order; never blocks.
    let deliver: @Sendable ([RTSPMediaEvent]) -> Void
    /// Ends the events.
    let finish: @Sendable () -> Void
    /// The bytes of media the consumer may fall behind by before the client stops reading (nil: no limit; a consumer
    /// that falls behind loses the oldest events of its bounded stream instead).
    var budget: RTSPMediaBudget?

    /// Yields each event on its own.
    static func oneByOne(_ continuation: AsyncStream<RTSPMediaEvent>.Continuation) -> RTSPEventSink {
        RTSPEventSink(deliver: { events in for event in events { continuation.yield(event) } }, finish: { continuation.finish() })
    }

    /// Yields each batch as one element; the consumer gives each batch's bytes back to `budget` once handled.
    static func batched(_ continuation: AsyncStream<[RTSPMediaEvent]>.Continuation, budget: RTSPMediaBudget?) -> RTSPEventSink {
        RTSPEventSink(
            deliver: { events in if !events.isEmpty { continuation.yield(events) } }, finish: { continuation.finish() }, budget: budget)
    }
}

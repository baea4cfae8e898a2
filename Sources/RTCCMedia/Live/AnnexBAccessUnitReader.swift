/// Reads H.264 access units out of an Annex B byte stream that arrives in pieces (a pipe from an
/// encoder), cutting at access unit delimiters: each complete access unit comes out as its NAL units
/// (delimiters dropped) as soon as the start code and header of the next delimiter have arrived.
public struct AnnexBAccessUnitReader: Sendable {
    /// The most bytes buffered before the reader gives up on the stream (no delimiter seen).
    public static let largestAccessUnit = 16 << 20

    private var buffer: [UInt8] = []
    private var scanned = 0
    private var current: [[UInt8]] = []
    private var nalStart: Int?

    /// Creates a reader.
    public init() {}

    /// Whether the reader dropped data because no delimiter came within ``largestAccessUnit``.
    public private(set) var overflowed = false

    /// Adds bytes and returns the access units completed by them.
    public mutating func append(_ bytes: some Sequence<UInt8>) -> [[[UInt8]]] {
        buffer.append(contentsOf: bytes)
        var finished: [[[UInt8]]] = []
        var index = max(scanned, 0)
        // A start code counts once the NAL header after it has arrived too, so a delimiter ends the access unit at once.
        while index + 3 < buffer.count {
            if buffer[index] == 0, buffer[index + 1] == 0, buffer[index + 2] == 1 {
                if let start = nalStart { take(buffer[start..<index], into: &finished) }
                index += 3
                nalStart = index
                if buffer[index] & 0x1F == H264NALUnitType.accessUnitDelimiter, !current.isEmpty {
                    finished.append(current)
                    current = []
                }
            } else {
                index += 1
            }
        }
        scanned = index
        if let start = nalStart, start > 0 {
            buffer.removeFirst(start)
            scanned -= start
            nalStart = 0
        }
        if buffer.count > Self.largestAccessUnit {
            overflowed = true
            buffer = []
            scanned = 0
            nalStart = nil
            current = []
        }
        return finished
    }

    private mutating func take(_ slice: ArraySlice<UInt8>, into finished: inout [[[UInt8]]]) {
        var unit = Array(slice)
        while unit.last == 0 { unit.removeLast() }
        guard let header = unit.first else { return }
        if header & 0x1F == H264NALUnitType.accessUnitDelimiter {
            if !current.isEmpty { finished.append(current) }
            current = []
        } else {
            current.append(unit)
        }
    }
}

import Foundation

/// A binary max-heap of marginal gains; ties go to the lower option index so results are reproducible.
struct GainHeap {
    struct Entry {
        var gain: Double
        var option: Int32
        var round: Int32
    }

    private var entries: [Entry] = []

    mutating func reserve(_ n: Int) { entries.reserveCapacity(n) }

    private static func above(_ a: Entry, _ b: Entry) -> Bool { a.gain > b.gain || (a.gain == b.gain && a.option < b.option) }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard GainHeap.above(entries[i], entries[parent]) else { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < entries.count, GainHeap.above(entries[l], entries[m]) { m = l }
                if r < entries.count, GainHeap.above(entries[r], entries[m]) { m = r }
                if m == i { break }
                entries.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}

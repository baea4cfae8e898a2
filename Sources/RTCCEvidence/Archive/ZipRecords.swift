import Foundation

/// The fixed records of a ZIP archive (PKWARE APPNOTE 6.3) for stored (uncompressed) entries with data descriptors.
enum ZipRecords {
    /// General purpose flags: sizes and CRC follow the data (bit 3), names are UTF-8 (bit 11).
    static let flags: UInt16 = 0x0008 | 0x0800

    static func localHeader(_ entry: PackageArchive.Entry) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append32(0x0403_4B50)
        bytes.append16(20)  // version needed: 2.0
        bytes.append16(flags)
        bytes.append16(0)  // stored
        bytes.append16(entry.dosTime)
        bytes.append16(entry.dosDate)
        bytes.append32(0)  // CRC, sizes: in the data descriptor
        bytes.append32(0)
        bytes.append32(0)
        bytes.append16(UInt16(entry.name.count))
        bytes.append16(0)
        return bytes + entry.name
    }

    static func dataDescriptor(_ entry: PackageArchive.Entry) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append32(0x0807_4B50)
        bytes.append32(entry.crc)
        bytes.append32(UInt32(entry.size))
        bytes.append32(UInt32(entry.size))
        return bytes
    }

    static func centralHeader(_ entry: PackageArchive.Entry) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append32(0x0201_4B50)
        bytes.append16(0x031E)  // made by: Unix, 3.0
        bytes.append16(20)
        bytes.append16(flags)
        bytes.append16(0)
        bytes.append16(entry.dosTime)
        bytes.append16(entry.dosDate)
        bytes.append32(entry.crc)
        bytes.append32(UInt32(entry.size))
        bytes.append32(UInt32(entry.size))
        bytes.append16(UInt16(entry.name.count))
        bytes.append16(0)  // extra
        bytes.append16(0)  // comment
        bytes.append16(0)  // disk
        bytes.append16(0)  // internal attributes
        bytes.append32(UInt32(0o100644) << 16)  // regular file, rw-r--r--
        bytes.append32(UInt32(entry.offset))
        return bytes + entry.name
    }

    static func endOfCentralDirectory(count: Int, size: Int64, offset: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.append32(0x0605_4B50)
        bytes.append16(0)
        bytes.append16(0)
        bytes.append16(UInt16(count))
        bytes.append16(UInt16(count))
        bytes.append32(UInt32(size))
        bytes.append32(UInt32(offset))
        bytes.append16(0)
        return bytes
    }

    /// MS-DOS time and date fields (UTC; two-second resolution; 1980 at the earliest).
    static func dosTimestamp(_ date: Date) -> (time: UInt16, date: UInt16) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let year = min(max((parts.year ?? 1980) - 1980, 0), 127)
        let time = UInt16((parts.hour ?? 0) << 11 | (parts.minute ?? 0) << 5 | (parts.second ?? 0) / 2)
        let day = UInt16(year << 9 | (parts.month ?? 1) << 5 | (parts.day ?? 1))
        return (time, day)
    }
}

/// CRC-32 as ZIP uses it (IEEE 802.3, reflected, polynomial 0xEDB88320).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    /// `crc` (0 to start) extended over `bytes`.
    static func update(_ crc: UInt32, _ bytes: [UInt8]) -> UInt32 {
        var value = ~crc
        table.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { bytes in
                for byte in bytes { value = table[Int((value ^ UInt32(byte)) & 0xFF)] ^ (value >> 8) }
            }
        }
        return ~value
    }
}

extension [UInt8] {
    mutating func append16(_ value: UInt16) {
        append(UInt8(value & 0xFF))
        append(UInt8(value >> 8))
    }

    mutating func append32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }
}

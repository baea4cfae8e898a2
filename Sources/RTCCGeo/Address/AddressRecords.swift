import Foundation

/// One address point: a house number on a street, where its door (or parcel centre) is.
public struct AddressPoint: Sendable, Hashable {
    /// The house number as written ("401", "401A").
    public var number: String
    /// The street as written ("Texas St").
    public var street: String
    /// Apartment, suite or unit, if any.
    public var unit: String?
    /// City, if given.
    public var city: String?
    /// ZIP code, if given.
    public var zip: String?
    /// Where it is.
    public var coordinate: Coordinate

    /// Creates an address point.
    public init(number: String, street: String, unit: String? = nil, city: String? = nil, zip: String? = nil, coordinate: Coordinate) {
        self.number = number
        self.street = street
        self.unit = unit
        self.city = city
        self.zip = zip
        self.coordinate = coordinate
    }

    /// The leading whole number of ``number`` ("401A" → 401); nil when it does not start with a digit.
    public var houseNumber: Int? {
        let digits = number.prefix(while: \.isNumber)
        return digits.isEmpty ? nil : Int(digits.prefix(9))
    }

    /// "401 Texas St", "401 Texas St Unit 2".
    public var label: String { "\(number) \(street)" + (unit.map { " Unit \($0)" } ?? "") }
}

/// A street centreline: its name and one or more polylines.
public struct StreetLine: Sendable, Hashable {
    /// The name as written ("Texas St").
    public var name: String
    /// Polylines, each at least two points.
    public var parts: [[Coordinate]]

    /// Creates a street centreline.
    public init(name: String, parts: [[Coordinate]]) {
        self.name = name
        self.parts = parts
    }
}

/// Where two named streets cross.
public struct StreetIntersection: Sendable, Hashable {
    /// One street's name as written.
    public var first: String
    /// The other street's name as written.
    public var second: String
    /// Where they cross.
    public var coordinate: Coordinate

    /// Creates an intersection.
    public init(first: String, second: String, coordinate: Coordinate) {
        self.first = first
        self.second = second
        self.coordinate = coordinate
    }

    /// "Texas St & Market St".
    public var label: String { "\(first) & \(second)" }
}

/// What an address search found.
public struct AddressMatch: Sendable, Hashable {
    /// What kind of place it is.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// An address point (or a house number placed between two).
        case address
        /// Two streets crossing.
        case intersection
        /// A whole street.
        case street
    }

    /// How closely it matches what was typed, best first.
    public enum Quality: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        /// The same words, ignoring case and punctuation.
        case exact
        /// The same street once suffixes and directionals are written one way ("Street" for "St").
        case abbreviation
        /// A word differs by a letter or two, or was typed only in part.
        case typo
        /// The street matches but the house number is not in the data: the place is the nearest number, or lies
        /// between the two nearest numbers on the same side of the street.
        case nearestNumber = "nearest-number"

        var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

        /// Better matches sort first.
        public static func < (lhs: Quality, rhs: Quality) -> Bool { lhs.rank < rhs.rank }
    }

    /// What to show: "401 Texas St", "Texas St & Market St", "Texas St".
    public var label: String
    /// Where it is.
    public var coordinate: Coordinate
    /// Address, intersection or street.
    public var kind: Kind
    /// How it matched.
    public var quality: Quality
    /// 0–1, higher is better; results are sorted by it.
    public var score: Double
    /// How a missing house number was placed ("interpolated between 401 and 409 Texas St"), when it was.
    public var note: String?
}

/// The address point nearest a place.
public struct ReverseMatch: Sendable, Hashable {
    /// "401 Texas St".
    public var label: String
    /// Where the address point is.
    public var coordinate: Coordinate
    /// Metres from the place asked about.
    public var distance: Double
    /// Address, or intersection when the index holds no address points.
    public var kind: AddressMatch.Kind
}

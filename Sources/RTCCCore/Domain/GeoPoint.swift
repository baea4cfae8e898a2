/// A WGS84 position in decimal degrees.
public struct GeoPoint: Codable, Sendable, Hashable {
    /// Latitude, −90…90.
    public var latitude: Double
    /// Longitude, −180…180.
    public var longitude: Double

    /// Creates a point; call ``validate(field:)`` before storing one from input.
    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// Problems with this point as field errors (empty when valid).
    public func validate(field: String) -> [FieldError] {
        var errors: [FieldError] = []
        if !latitude.isFinite || !(-90...90).contains(latitude) {
            errors.append(FieldError(field: "\(field).latitude", reason: "must be a number from -90 to 90"))
        }
        if !longitude.isFinite || !(-180...180).contains(longitude) {
            errors.append(FieldError(field: "\(field).longitude", reason: "must be a number from -180 to 180"))
        }
        return errors
    }
}

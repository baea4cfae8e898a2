/// Why a parameter set (SPS, PPS, VPS) could not be read or a track format not built.
public enum ParameterSetError: Error, Sendable, Hashable {
    /// The NAL unit ended before the named field.
    case truncated(field: String)
    /// The named field holds a value outside its allowed range.
    case valueOutOfRange(field: String)
    /// The NAL unit is not of the expected type; carries the type seen.
    case unexpectedNALUnitType(UInt8)
    /// A `sprop-parameter-sets` / `sprop-sps` entry is not valid base64.
    case invalidBase64(String)
    /// A required parameter set (named) has not been received yet.
    case missing(String)
}

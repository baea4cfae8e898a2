/// Reed–Solomon error correction over GF(2⁸), as used by QR codes.
///
/// The field is built on the primitive polynomial x⁸ + x⁴ + x³ + x² + 1 (0x11D) with generator
/// element α = 2. The generator polynomial of degree *n* is (x − α⁰)(x − α¹)…(x − αⁿ⁻¹).
enum ReedSolomon {
    /// Powers of α: `exponent[i]` is αⁱ for i in 0..<255, repeated once more so that sums of two
    /// logarithms can index it without a modulo.
    private static let exponent: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 510)
        var value = 1
        for index in 0..<255 {
            table[index] = UInt8(value)
            table[index + 255] = UInt8(value)
            value <<= 1
            if value & 0x100 != 0 {
                value ^= 0x11D
            }
        }
        return table
    }()

    /// Discrete logarithms: `logarithm[αⁱ]` is i. The entry for 0 is unused.
    private static let logarithm: [Int] = {
        var table = [Int](repeating: 0, count: 256)
        for index in 0..<255 {
            table[Int(exponent[index])] = index
        }
        return table
    }()

    /// Multiplies two elements of GF(2⁸).
    static func multiply(_ left: UInt8, _ right: UInt8) -> UInt8 {
        guard left != 0, right != 0 else { return 0 }
        return exponent[logarithm[Int(left)] + logarithm[Int(right)]]
    }

    /// Returns αⁱ for any non-negative exponent i.
    static func power(_ index: Int) -> UInt8 {
        exponent[index % 255]
    }

    /// The monic generator polynomial of the given degree, highest-order coefficient first
    /// (so the result has `degree + 1` entries and starts with 1).
    static func generator(degree: Int) -> [UInt8] {
        var polynomial: [UInt8] = [1]
        for root in 0..<degree {
            var product = [UInt8](repeating: 0, count: polynomial.count + 1)
            for (index, coefficient) in polynomial.enumerated() {
                product[index] ^= coefficient
                product[index + 1] ^= multiply(coefficient, power(root))
            }
            polynomial = product
        }
        return polynomial
    }

    /// The `count` error correction codewords for one block of data codewords: the remainder of
    /// data(x)·xⁿ divided by the generator polynomial of degree n = `count`.
    static func errorCorrection(for data: [UInt8], count: Int) -> [UInt8] {
        let divisor = generator(degree: count)
        var remainder = [UInt8](repeating: 0, count: count)
        for byte in data {
            let factor = byte ^ remainder[0]
            remainder.removeFirst()
            remainder.append(0)
            for index in 0..<count {
                remainder[index] ^= multiply(divisor[index + 1], factor)
            }
        }
        return remainder
    }
}

/// Text of a 32-bit float as Arduino's `Print::printFloat` writes it.
///
/// Emulates the algorithm in single precision (AVR `float` = `double` = 32 bits):
/// `nan`, `inf` (either sign) and `ovf` (|x| > 4294967040) are printed as words; a
/// negative value gets `-` (so tiny negatives print `-0.00`); then
/// `0.5 / 10^digits` is added, the integer part is printed and the fraction is
/// printed digit by digit by repeated multiplication by 10.
enum ArduinoFloatFormat {
    /// Formats `value` with `digits` decimals the way the Arduino core does.
    static func format(_ value: Float, digits: Int) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return "inf" }
        if value > 4_294_967_040 || value < -4_294_967_040 { return "ovf" }
        var text = ""
        var number = value
        if number < 0 {
            text.append("-")
            number = -number
        }
        var rounding: Float = 0.5
        for _ in 0..<digits { rounding /= 10 }
        number += rounding
        let integerPart = UInt32(number)
        var remainder = number - Float(integerPart)
        text.append(String(integerPart))
        if digits > 0 { text.append(".") }
        for _ in 0..<digits {
            remainder *= 10
            let digit = min(UInt32(remainder), 9)
            text.append(String(digit))
            remainder -= Float(digit)
        }
        return text
    }
}

import Foundation

/// Water-vapour relations used by the meat's evaporation model.
enum Psychrometrics {
    /// Saturation vapour pressure of water (kPa) at `fahrenheit`, Magnus formula
    /// (Alduchov–Eskridge coefficients; within ~0.5 % of tables up to 100 °C).
    @inline(__always)
    static func saturationPressure(fahrenheit: Double) -> Double {
        let celsius = (fahrenheit - 32) * (5.0 / 9.0)
        return 0.61094 * exp(17.625 * celsius / (celsius + 243.04))
    }

    /// Latent heat of vaporisation of water near 60–70 °C, J/kg.
    static let latentHeat = 2.3e6
}

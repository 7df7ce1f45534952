/// The smoker protocols a virtual thermometer can speak (`--protocol NAME`).
public enum SmokerProtocol: String, CaseIterable, Sendable {
    /// Smart Smoker V2: JSON lines at 9600 baud. See ``SmartSmokerCodec``.
    case smartSmoker = "smart-smoker"
    /// HeaterMeter: `$HMSU` lines at 38400 baud. See ``HeaterMeterCodec``.
    case heatermeter

    /// A fresh codec (just reset) for this protocol, with default settings.
    public func makeCodec() -> any SmokerProtocolCodec {
        switch self {
        case .smartSmoker: SmartSmokerCodec()
        case .heatermeter: HeaterMeterCodec()
        }
    }
}
